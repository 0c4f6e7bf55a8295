using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.Engine.Kernel;

/// <summary>
/// Network sysctls. /proc/sys/net is per network namespace, resolved from the opening thread's namespace, so an
/// engine embedded in a process whose threads live elsewhere (an in-process test) passes the namespace it manages.
/// </summary>
/// <param name="netnsPath">The namespace to write in (e.g. /run/netns/NAME), or null for the process's own.</param>
public sealed class Sysctl(string? netnsPath = null)
{
    /// <summary>Bridge networks route between the bridge and the uplink, which needs IPv4 forwarding on.</summary>
    public void EnableIPv4Forwarding()
    {
        static bool Write()
        {
            const string path = "/proc/sys/net/ipv4/ip_forward";
            if (File.ReadAllText(path).Trim() != "1") File.WriteAllText(path, "1");
            return true;
        }
        if (netnsPath is null) Write();
        else NetnsThread.Run(netnsPath, Write);
    }

    /// <summary>
    /// route_localnet on a bridge: a published port reached as 127.0.0.1:PORT from the host is DNATed in nat/output and
    /// then leaves through the bridge with its 127.0.0.1 source (masqueraded later, in postrouting); the routing code
    /// refuses a loopback source on a device without route_localnet (ip-sysctl.rst, route_localnet). The firewall's
    /// guard chain drops what this would otherwise let in: packets from the bridge addressed to 127/8.
    /// </summary>
    /// <param name="device">A validated interface name (it becomes a path component).</param>
    public void EnableRouteLocalnet(string device)
    {
        if (device.Length is 0 or > 15 || device is "." or ".." || device.Contains('/'))
            throw new ArgumentException($"'{device}' is not an interface name.", nameof(device));
        string path = $"/proc/sys/net/ipv4/conf/{device}/route_localnet";
        bool Write()
        {
            if (File.ReadAllText(path).Trim() != "1") File.WriteAllText(path, "1");
            return true;
        }
        if (netnsPath is null) Write();
        else NetnsThread.Run(netnsPath, Write);
    }
}
