using System.Net;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;

namespace MyDocker.E2ETests.Networks;

/// <summary>The host's occupied subnets, kept by rtnetlink notifications instead of dumped per create, in a throw-away netns.</summary>
public sealed class HostSubnetsTests : IDisposable
{
    private readonly TestNetns _ns = new("hsub");

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void A_host_change_is_seen_at_the_next_question_and_engine_bridges_never_cost_a_new_dump()
    {
        using var netlink = _ns.Run(RtNetlink.Open);
        using var subnets = _ns.Run(() => new HostSubnets(netlink));
        Assert.Contains(subnets.Current(), o => o.Subnet.ToString() == "127.0.0.0/8");
        Assert.Equal(1, subnets.Dumps);
        subnets.Current();
        Assert.Equal(1, subnets.Dumps);

        // An engine bridge as BridgeDriver makes one: marked before its address is added, then up; and taken out again.
        int bridge = netlink.CreateBridge("md-hsub1");
        netlink.SetAlias(bridge, BridgeDriver.AliasFor("hsub1"));
        netlink.AddAddress(bridge, IPAddress.Parse("10.77.0.1"), 24);
        netlink.SetUp(bridge);
        Assert.DoesNotContain(subnets.Current(), o => o.Subnet.ToString() == "10.77.0.0/24");
        netlink.DeleteAddress(bridge, IPAddress.Parse("10.77.0.1"), 24);
        subnets.Current();
        Assert.Equal(1, subnets.Dumps);

        // Something of the host's own: seen at once.
        _ns.Exec("ip", "link", "add", "hs0", "type", "veth", "peer", "name", "hs1");
        _ns.Exec("ip", "address", "add", "192.0.2.1/24", "dev", "hs0");
        _ns.Exec("ip", "link", "set", "hs0", "up");
        Assert.Contains(subnets.Current(), o => o.Subnet.ToString() == "192.0.2.0/24" && o.Holder.Contains("hs0"));
        Assert.Equal(2, subnets.Dumps);
        _ns.Exec("ip", "route", "add", "198.51.100.0/24", "dev", "hs0");
        Assert.Contains(subnets.Current(), o => o.Subnet.ToString() == "198.51.100.0/24");
        Assert.Equal(3, subnets.Dumps);
    }

    [Fact]
    public void A_removed_bridge_deleted_before_the_next_question_costs_no_dump_but_a_deleted_host_device_does()
    {
        using var netlink = _ns.Run(RtNetlink.Open);
        using var subnets = _ns.Run(() => new HostSubnets(netlink));
        _ns.Exec("ip", "link", "add", "hs0", "type", "veth", "peer", "name", "hs1");
        _ns.Exec("ip", "address", "add", "192.0.2.1/24", "dev", "hs0");
        _ns.Exec("ip", "link", "set", "hs0", "up");
        Assert.Contains(subnets.Current(), o => o.Subnet.ToString() == "192.0.2.0/24");
        Assert.Equal(1, subnets.Dumps);

        // A network created and removed between two creates, its bridge deleted by the LinkReaper before the second one
        // asks: its notifications name a device that no longer exists and that the answer holds nothing of.
        int bridge = netlink.CreateBridge("md-hsub2");
        netlink.SetAlias(bridge, BridgeDriver.AliasFor("hsub2"));
        netlink.AddAddress(bridge, IPAddress.Parse("10.78.0.1"), 24);
        netlink.SetUp(bridge);
        netlink.DeleteAddress(bridge, IPAddress.Parse("10.78.0.1"), 24);
        netlink.DeleteLink("md-hsub2");
        Assert.DoesNotContain(subnets.Current(), o => o.Subnet.ToString() == "10.78.0.0/24");
        Assert.Equal(1, subnets.Dumps);

        // A host device the answer holds subnets of, deleted: they go at the next question.
        _ns.Exec("ip", "link", "del", "hs0");
        Assert.DoesNotContain(subnets.Current(), o => o.Subnet.ToString() == "192.0.2.0/24");
        Assert.Equal(2, subnets.Dumps);
    }
}
