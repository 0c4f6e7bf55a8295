using System.Net;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>Configuration section MyDocker:Dashboard; the flags --dashboard-port and --no-dashboard override it.</summary>
public sealed class DashboardOptions
{
    public const int DefaultPort = 7480;
    public bool Enabled { get; set; } = true;
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// The one address the dashboard listens on: 127.0.0.1 unless configured. Another address of this host must be
    /// named exactly — not 0.0.0.0 or :: — because the Host-header check (DNS rebinding) and the Origin check only
    /// accept the addresses they know.
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Parses <see cref="Address"/>; an ArgumentException names the setting and the fix.</summary>
    public IPAddress ListenAddress()
    {
        if (!IPAddress.TryParse(Address, out var address) || Address.Contains('%'))
            throw new ArgumentException($"MyDocker:Dashboard:Address '{Address}' is not an IP address; give one address of this host, such as 127.0.0.1");
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            throw new ArgumentException($"MyDocker:Dashboard:Address '{Address}' would listen on every address, and the Host-header check needs to know which one is asked for; name one address of this host (127.0.0.1 by default)");
        if (Port is < 1 or > 65535)
            throw new ArgumentException($"MyDocker:Dashboard:Port {Port} is not a TCP port; give 1-65535 ({DefaultPort} by default)");
        return address;
    }

    /// <summary>The host:port values the dashboard answers to, the first one for the URLs it prints: the address, and
    /// localhost as well when the address is loopback.</summary>
    public IReadOnlyList<string> Authorities()
    {
        var address = ListenAddress();
        string first = new IPEndPoint(address, Port).ToString();
        return IPAddress.IsLoopback(address) ? [first, $"localhost:{Port}"] : [first];
    }

    public string BaseUrl => "http://" + Authorities()[0];
}
