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
    /// <param name="url">Any URL of the dashboard (its login URL): its host becomes the Host header, its port the port
    /// connected to. No name is resolved: the socket connects to <paramref name="address"/> (127.0.0.1 by default).</param>
    public static HttpClient Create(TestNetns netns, string url, System.Net.IPAddress? address = null)
    {
        address ??= System.Net.IPAddress.Loopback;
        var uri = new Uri(url);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (_, ct) =>
            {
                var s = netns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                await s.ConnectAsync(address, uri.Port, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(30) };
    }
}
