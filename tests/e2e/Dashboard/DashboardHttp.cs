using System.Net.Sockets;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// An HttpClient whose sockets are made inside the daemon's netns (a socket stays in the namespace it was created in,
/// whichever thread connects it), so 127.0.0.1 is the daemon's loopback, not the host's. No redirects, no cookie jar:
/// tests see and set the headers themselves.
/// </summary>
public static class DashboardHttp
{
    public static HttpClient Create(TestNetns netns, int port, System.Net.IPAddress? address = null)
    {
        address ??= System.Net.IPAddress.Loopback;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (_, ct) =>
            {
                var s = netns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                await s.ConnectAsync(address, port, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"http://{address}:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }
}
