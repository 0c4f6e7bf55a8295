namespace MyDocker.Engine.Kernel;

/// <summary>The network sysctls the bridge driver and host forwarding write (see <see cref="Sysctl"/>, the real one, for
/// what each does and why). A device name is a validated interface name; a device that does not exist fails as the
/// kernel's /proc does (its directory is missing).</summary>
public interface ISysctl
{
    /// <summary>net.ipv4.ip_forward.</summary>
    bool IPv4Forwarding { get; }

    /// <summary>Writes net.ipv4.ip_forward (only when it changes).</summary>
    void SetIPv4Forwarding(bool on);

    /// <summary>Writes route_localnet of <paramref name="device"/> (only when it changes).</summary>
    void SetRouteLocalnet(string device, bool on);

    /// <summary>Turns IPv6 off on <paramref name="device"/>; true when something changed.</summary>
    bool DisableIPv6(string device);
}
