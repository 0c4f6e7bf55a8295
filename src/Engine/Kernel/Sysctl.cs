using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.Engine.Kernel;

/// <summary>
/// Network sysctls. /proc/sys/net is per network namespace, resolved from the opening thread's namespace, so an
/// engine embedded in a process whose threads live elsewhere (an in-process test) passes the namespace it manages.
/// </summary>
/// <param name="netnsPath">The namespace to write in (e.g. /run/netns/NAME), or null for the calling thread's own.</param>
public sealed class Sysctl(string? netnsPath = null) : ISysctl
{
    private const string IPv4Forward = "/proc/sys/net/ipv4/ip_forward";

    /// <summary>net.ipv4.ip_forward: whether the host routes IPv4 between its interfaces.</summary>
    public bool IPv4Forwarding => In(() => Read(IPv4Forward) == "1");

    /// <summary>Bridge networks route between the bridge and the uplink, which needs IPv4 forwarding on. Writing
    /// ip_forward also resets every device's conf/*/forwarding and all/accept_redirects (ip-sysctl.rst, ip_forward), so
    /// it is written only when it changes.</summary>
    public void SetIPv4Forwarding(bool on) => In(() => WriteIfDifferent(IPv4Forward, on ? "1" : "0"));

    /// <summary>
    /// route_localnet on a bridge: a published port reached as 127.0.0.1:PORT from the host is DNATed in nat/output and
    /// then leaves through the bridge with its 127.0.0.1 source (masqueraded later, in postrouting); the routing code
    /// refuses a loopback source on a device without route_localnet (ip-sysctl.rst, route_localnet). It also lets packets
    /// arriving on the bridge address 127/8: every port of the bridge must carry the loopback guard
    /// (Networks.Bridge.LoopbackGuard) while this is on.
    /// </summary>
    /// <param name="device">A validated interface name (it becomes a path component).</param>
    public void SetRouteLocalnet(string device, bool on) =>
        In(() => WriteIfDifferent($"/proc/sys/net/ipv4/conf/{Device(device)}/route_localnet", on ? "1" : "0"));

    /// <summary>
    /// Turns IPv6 off on one device: no addresses (not even link-local), no router advertisements or solicitations, and
    /// ip6_rcv drops every IPv6 packet arriving on it (ip-sysctl.rst, disable_ipv6). accept_ra=0 first, so the device
    /// ignores router advertisements even if someone turns IPv6 back on (libnetwork writes the same on its bridges,
    /// moby/libnetwork#2558, CVE-2020-13401). Returns true when something changed. A kernel without IPv6 (booted with
    /// ipv6.disable=1: no /proc/sys/net/ipv6) has nothing to turn off.
    /// </summary>
    /// <param name="device">A validated interface name (it becomes a path component).</param>
    public bool DisableIPv6(string device)
    {
        string conf = $"/proc/sys/net/ipv6/conf/{Device(device)}";
        return In(() =>
        {
            if (!Directory.Exists("/proc/sys/net/ipv6")) return false;
            bool changed = WriteIfDifferent($"{conf}/accept_ra", "0");
            return WriteIfDifferent($"{conf}/disable_ipv6", "1") || changed;
        });
    }

    /// <summary>
    /// Devices created in the calling thread's network namespace from now on start with IPv6 off (conf/default is what a
    /// new device copies, addrconf's ipv6_add_dev), so they never get a link-local address or accept a router
    /// advertisement. For a fresh container namespace, on the thread that created it, before its interfaces exist. lo
    /// exists already and keeps ::1.
    /// </summary>
    public static void DisableIPv6ForNewDevicesHere()
    {
        if (Directory.Exists("/proc/sys/net/ipv6")) WriteIfDifferent("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    }

    private static string Device(string device) =>
        device.Length is 0 or > 15 || device is "." or ".." || device.Contains('/') || device is "all" or "default"
            ? throw new ArgumentException($"'{device}' is not an interface name.", nameof(device))
            : device;

    private T In<T>(Func<T> work) => netnsPath is null ? work() : NetnsThread.Run(netnsPath, work);

    private static string Read(string path) => File.ReadAllText(path).Trim();

    private static bool WriteIfDifferent(string path, string value)
    {
        if (Read(path) == value) return false;
        File.WriteAllText(path, value);
        return true;
    }
}
