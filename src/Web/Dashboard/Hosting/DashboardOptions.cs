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

    /// <summary>address:port the dashboard listens on, e.g. 127.0.0.1:7480 or [::1]:7480.</summary>
    public string ListenEndpoint => new IPEndPoint(ListenAddress(), Port).ToString();

    /// <summary>
    /// True when the dashboard is served under a name of its own in <c>.localhost</c> rather than its address: browsers
    /// and curl resolve every <c>*.localhost</c> name to 127.0.0.1 and ::1 themselves, without DNS (RFC 6761 §6.3), so
    /// this works only when the address is one of those two.
    /// </summary>
    public bool UsesLocalhostName => ListenAddress() is var a && (a.Equals(IPAddress.Loopback) || a.Equals(IPAddress.IPv6Loopback));
}
