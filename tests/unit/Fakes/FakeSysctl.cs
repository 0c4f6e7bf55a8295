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
    // By ifindex: a device's settings go with it (the fake never gives an ifindex twice).
    private readonly Dictionary<int, (bool RouteLocalnet, bool Ipv6Off)> _devices = new();
    private bool _forwarding = ipv4Forwarding;

    public bool IPv4Forwarding { get { lock (_gate) return _forwarding; } }

    public void SetIPv4Forwarding(bool on)
    {
        lock (_gate) _forwarding = on;
    }

    public void SetRouteLocalnet(string device, bool on)
    {
        lock (_gate) _devices[IndexOf(device)] = _devices.GetValueOrDefault(IndexOf(device)) with { RouteLocalnet = on };
    }

    public bool DisableIPv6(string device)
    {
        lock (_gate)
        {
            var now = _devices.GetValueOrDefault(IndexOf(device));
            _devices[IndexOf(device)] = now with { Ipv6Off = true };
            return !now.Ipv6Off;
        }
    }

    /// <summary>"net.ipv4.ip_forward=N", then a line per existing device whose settings were written.</summary>
    public string Dump()
    {
        lock (_gate)
        {
            var lines = new List<string> { $"net.ipv4.ip_forward={(_forwarding ? 1 : 0)}" };
            foreach (var link in links.ListLinks())
                if (_devices.TryGetValue(link.Index, out var d))
                    lines.Add($"{link.Name}: route_localnet={(d.RouteLocalnet ? 1 : 0)} disable_ipv6={(d.Ipv6Off ? 1 : 0)}");
            return string.Join('\n', lines) + "\n";
        }
    }

    private int IndexOf(string device) =>
        links.GetLink(device)?.Index ?? throw new DirectoryNotFoundException($"Could not find a part of the path '/proc/sys/net/ipv4/conf/{device}'.");
}
