using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Networks;

/// <summary>
/// The subnets of the host's own routes and addresses, which a new network must not overlap; the default route and what
/// sits on engine bridges are left out (the network records cover those). Dumping the kernel's links, routes and addresses
/// for every create costs in proportion to the number of networks (each has a bridge, an address and a route), so the
/// answer is kept, and the kernel's notifications say when it is out of date: a subscription to IPv4 address and route
/// changes is read (without waiting) at every question, and only a change on an interface that is not an engine bridge,
/// or lost notifications, makes the next answer dump again. The engine's own creates and removes change only its bridges,
/// so they never do. An interface seen for the first time is asked for once by index (engine bridges carry the
/// <see cref="BridgeDriver.AliasPrefix"/> alias, set before their address). One that is gone by then changes nothing
/// unless the answer holds a route or address on it: a removed network's bridge is often deleted (LinkReaper) before
/// the next create asks, and taking that for a host change made that create dump ~1,000 links, routes and addresses
/// beside 1,000 networks (tens of ms).
/// <para>Opened in the network namespace of the calling thread (the daemon's). Thread-safe.</para>
/// </summary>
public sealed class HostSubnets : IHostSubnets, IDisposable
{
    private readonly IRtNetlink _netlink;
    private readonly NetlinkSubscription _changes;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _engineLinks = [];
    private List<OccupiedSubnet>? _current;
    /// <summary>The interfaces the routes and addresses of <see cref="_current"/> are on.</summary>
    private readonly HashSet<int> _heldLinks = [];

    public HostSubnets(IRtNetlink netlink)
    {
        _netlink = netlink;
        _changes = NetlinkSubscription.Open(Libc.NETLINK_ROUTE, [RtNetlinkEvents.RTNLGRP_IPV4_IFADDR, RtNetlinkEvents.RTNLGRP_IPV4_ROUTE], 1 << 20);
    }

    /// <summary>How many times the kernel's tables were dumped (for tests).</summary>
    public int Dumps { get; private set; }

    public IReadOnlyList<OccupiedSubnet> Current()
    {
        lock (_gate)
        {
            var seen = new HashSet<int>();
            bool complete = _changes.Drain(m =>
            {
                if (RtNetlinkEvents.ChangedLink(m) is { } index && !_engineLinks.Contains(index)) seen.Add(index);
            });
            bool stale = _current is null || !complete;
            foreach (int index in seen)
            {
                var link = index > 0 ? _netlink.GetLink(index) : null;
                if (link?.Alias?.StartsWith(BridgeDriver.AliasPrefix, StringComparison.Ordinal) == true) _engineLinks.Add(index);
                // Gone: nothing is on it any more, and if the answer holds nothing of it either, the answer is still true.
                else if (index > 0 && link is null && !_heldLinks.Contains(index)) continue;
                else stale = true;
            }
            if (stale) Dump();
            return _current!;
        }
    }

    /// <summary>Caller holds the gate. Routes and addresses not on engine bridges; the subscription is already open, so
    /// a change made during the dump is seen at the next question.</summary>
    private void Dump()
    {
        Dumps++;
        var links = _netlink.ListLinks().ToDictionary(l => l.Index);
        _engineLinks.Clear();
        _engineLinks.UnionWith(links.Values.Where(l => l.Alias?.StartsWith(BridgeDriver.AliasPrefix, StringComparison.Ordinal) == true).Select(l => l.Index));
        string Dev(int? index) => index is int i && links.TryGetValue(i, out var l) ? l.Name : "?";
        var result = new List<OccupiedSubnet>();
        _heldLinks.Clear();
        foreach (var route in _netlink.ListRoutes())
        {
            if (route.PrefixLength == 0 || route.OutputLinkIndex is int o && _engineLinks.Contains(o)) continue;
            var s = new IPv4Subnet(IPv4.ToUInt(route.Destination) & IPv4Subnet.MaskOf(route.PrefixLength), route.PrefixLength);
            result.Add(new OccupiedSubnet(s, $"the host route {s} dev {Dev(route.OutputLinkIndex)}"));
            if (route.OutputLinkIndex is int held) _heldLinks.Add(held);
        }
        foreach (var a in _netlink.ListAddresses())
        {
            if (_engineLinks.Contains(a.LinkIndex)) continue;
            var s = new IPv4Subnet(IPv4.ToUInt(a.Address) & IPv4Subnet.MaskOf(a.PrefixLength), a.PrefixLength);
            result.Add(new OccupiedSubnet(s, $"the host address {a.Address}/{a.PrefixLength} on {Dev(a.LinkIndex)}"));
            _heldLinks.Add(a.LinkIndex);
        }
        _current = result;
    }

    public void Dispose() => _changes.Dispose();
}

/// <summary>The host's own subnets a new network must not overlap (<see cref="HostSubnets"/> reads them from the kernel).</summary>
public interface IHostSubnets
{
    /// <summary>The host's occupied subnets now. Thread-safe.</summary>
    IReadOnlyList<OccupiedSubnet> Current();
}
