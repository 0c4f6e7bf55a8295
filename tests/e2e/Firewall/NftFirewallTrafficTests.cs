using MyDocker.Engine.Networks.Firewall;
using static MyDocker.E2ETests.Firewall.BridgeLab;

namespace MyDocker.E2ETests.Firewall;

/// <summary>What the firewall does to real packets, between namespaces built by <see cref="BridgeLab"/>.</summary>
public sealed class NftFirewallTrafficTests : IDisposable
{
    private readonly BridgeLab _lab = new();
    private readonly NftFirewall _fw;

    private static readonly FirewallNetwork A = new(BridgeA, SubnetA, false);
    private static readonly FirewallNetwork B = new(BridgeB, SubnetB, false);

    public NftFirewallTrafficTests() => _fw = new NftFirewall(_lab.Nft);

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void Different_networks_are_isolated_until_one_is_removed()
    {
        Assert.True(Ping(_lab.HostA, HostBIp), "without a firewall the router forwards A to B");

        _fw.Rebuild([A, B]);
        Assert.False(Ping(_lab.HostA, HostBIp, attempts: 1), "A must not reach B");
        Assert.False(Ping(_lab.HostB, HostAIp, attempts: 1), "B must not reach A");
        Assert.True(Ping(_lab.HostA, HostA2Ip), "hosts on one network still reach each other");
        Assert.True(Ping(_lab.HostA, GatewayA), "a host still reaches its gateway");

        _fw.RemoveNetwork(B);
        Assert.True(Ping(_lab.HostA, HostBIp), "after B is removed from the firewall, A reaches B again");

        _fw.AddNetwork(B);
        Assert.False(Ping(_lab.HostA, HostBIp, attempts: 1), "adding B back isolates it again");

        _fw.Rebuild([]);
        Assert.True(Ping(_lab.HostA, HostBIp), "with no networks in the firewall, nothing is isolated");
    }

    [Fact]
    public void Egress_is_masqueraded_to_the_routers_upstream_address()
    {
        Assert.False(Ping(_lab.HostA, UpstreamIp, attempts: 1), "without SNAT the upstream cannot answer 10.71.x");

        _fw.Rebuild([A, B]);
        Assert.True(Ping(_lab.HostA, UpstreamIp), "with masquerade the upstream answers the router's address");

        var conntrack = _lab.Router.Exec("conntrack", "-L", "-p", "icmp");
        Assert.Contains($"src={HostAIp} dst={UpstreamIp}", conntrack);
        Assert.Contains($"src={UpstreamIp} dst={RouterUpstreamIp}", conntrack);
    }

    [Fact]
    public void An_internal_network_has_no_traffic_in_or_out_but_inside()
    {
        _lab.RouteUpstreamBack(); // so a failure below is the firewall's doing, not a missing route
        Assert.True(Ping(_lab.HostB, UpstreamIp), "without a firewall B reaches the upstream");

        _fw.Rebuild([A, B with { Internal = true }]);
        _lab.StartUpstreamProbe(SubnetB);
        Assert.False(Ping(_lab.HostB, UpstreamIp, attempts: 1), "an internal network has no egress");
        Assert.Equal(0, _lab.UpstreamProbePackets()); // the request itself was dropped, not just the reply
        Assert.False(Ping(_lab.Upstream, HostBIp, attempts: 1), "nothing is forwarded into an internal network");
        Assert.False(Ping(_lab.HostB, HostAIp, attempts: 1), "nor to another engine network");
        Assert.True(Ping(_lab.HostB, HostB2Ip), "hosts on the internal network reach each other");
        Assert.True(Ping(_lab.HostB, GatewayB), "and the host side of their bridge");
        Assert.True(Ping(_lab.HostA, UpstreamIp), "the other network keeps its egress");

        _fw.RemoveNetwork(B with { Internal = true });
        Assert.True(Ping(_lab.HostB, UpstreamIp), "once removed from the firewall, B is routed again");
        Assert.True(_lab.UpstreamProbePackets() > 0, "the probe counts B's packets when they do arrive");
    }

    [Fact]
    public void Unsolicited_traffic_from_outside_does_not_reach_a_network()
    {
        _lab.RouteUpstreamBack();
        Assert.True(Ping(_lab.Upstream, HostAIp), "without a firewall the upstream can route to A");

        _fw.Rebuild([A, B]);
        Assert.False(Ping(_lab.Upstream, HostAIp, attempts: 1), "a routed, not published, connection into A is dropped");
        Assert.True(Ping(_lab.HostA, UpstreamIp), "replies to A's own connections still come in");
    }
}
