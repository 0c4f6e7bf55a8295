using MyDocker.Engine.Kernel;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// The network sysctls of one namespace, in memory: ip_forward, and per device route_localnet and disable_ipv6, which
/// exist while the device exists in <paramref name="links"/> (a device's /proc/sys/net/*/conf/DEV directory goes with it:
/// writing there afterwards fails as the real file system does, DirectoryNotFoundException).
/// </summary>
public sealed class FakeSysctl(FakeRtNetlink links, bool ipv4Forwarding = false) : ISysctl
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (bool RouteLocalnet, bool Ipv6Off)> _devices = new(StringComparer.Ordinal);
    private bool _forwarding = ipv4Forwarding;

    public bool IPv4Forwarding { get { lock (_gate) return _forwarding; } }

    public void SetIPv4Forwarding(bool on)
    {
        lock (_gate) _forwarding = on;
    }

    public void SetRouteLocalnet(string device, bool on)
    {
        lock (_gate) _devices[device] = Of(device) with { RouteLocalnet = on };
    }

    public bool DisableIPv6(string device)
    {
        lock (_gate)
        {
            var now = Of(device);
            _devices[device] = now with { Ipv6Off = true };
            return !now.Ipv6Off;
        }
    }

    /// <summary>"ip_forward=1" and one line per existing device whose settings differ from a new device's.</summary>
    public string Dump()
    {
        lock (_gate)
        {
            var lines = new List<string> { $"net.ipv4.ip_forward={(_forwarding ? 1 : 0)}" };
            foreach (var link in links.ListLinks())
                if (_devices.TryGetValue(link.Name, out var d) && Exists(link.Name, link.Index))
                    lines.Add($"{link.Name}: route_localnet={(d.RouteLocalnet ? 1 : 0)} disable_ipv6={(d.Ipv6Off ? 1 : 0)}");
            return string.Join('\n', lines) + "\n";
        }
    }

    /// <summary>A device's settings, forgotten when the device was deleted (a new device of the same name starts fresh).</summary>
    private (bool RouteLocalnet, bool Ipv6Off) Of(string device)
    {
        var link = links.GetLink(device) ?? throw new DirectoryNotFoundException($"Could not find a part of the path '/proc/sys/net/ipv4/conf/{device}'.");
        return _devices.TryGetValue(device, out var d) && Exists(device, link.Index) ? d : default;
    }

    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

    private bool Exists(string device, int index)
    {
        // Settings belong to one device: remember its ifindex the first time, and drop them when the name has a new one.
        if (_indexes.TryGetValue(device, out int known) && known == index) return true;
        _indexes[device] = index;
        _devices.Remove(device);
        return false;
    }
}
