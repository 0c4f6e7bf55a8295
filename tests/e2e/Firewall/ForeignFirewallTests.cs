using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;
using static MyDocker.E2ETests.Firewall.BridgeLab;

namespace MyDocker.E2ETests.Firewall;

/// <summary>
/// Another tool's drop policy against our traffic, on real packets: the router namespace of <see cref="BridgeLab"/>
/// gets iptables' FORWARD policy DROP (what Docker sets), our own table in front of it, and the foreign firewall's
/// tagged accept rules. Every iptables call runs inside the router namespace (nsenter), never in the root namespace.
/// </summary>
public sealed class ForeignFirewallTests : IDisposable
{
    private readonly BridgeLab _lab = new();
    private readonly NftFirewall _ours;
    private readonly ForeignFirewall _foreign;

    private static readonly FirewallNetwork A = new(BridgeA, SubnetA, false);
    private static readonly FirewallNetwork B = new(BridgeB, SubnetB, false);
    private static readonly string[] Bridges = [BridgeA, BridgeB];

    private readonly NftNetlink _routerNetlink;

    public ForeignFirewallTests()
    {
        _ours = new NftFirewall(_lab.Nft);
        _routerNetlink = _lab.Router.Run(NftNetlink.Open);
        _foreign = new ForeignFirewall(_lab.Nft, new ProcessRunner(_lab.Router.Path), ForeignFirewall.ForwardChainOf(_routerNetlink));
    }

    public void Dispose()
    {
        _routerNetlink.Dispose();
        _lab.Dispose();
    }

    private string ForwardRules() => _lab.Router.Exec("iptables", "-S", "FORWARD");

    private static int Tagged(string listing) => listing.Split('\n').Count(l => l.Contains("--comment mydocker"));

    [Fact]
    public void A_foreign_FORWARD_drop_policy_is_named_opened_for_our_bridges_only_and_closed_again()
    {
        _ours.Rebuild([A, B]);
        // The other tool's state: its own rule, then its drop policy.
        _lab.Router.Exec("iptables", "-A", "FORWARD", "-i", "eth7", "-j", "ACCEPT");
        _lab.Router.Exec("iptables", "-P", "FORWARD", "DROP");

        var policy = Assert.Single(_foreign.Inspect(Bridges), b => b.What == "policy drop");
        Assert.Equal(("ip", "filter", "FORWARD", "forward", 0), (policy.Family, policy.Table, policy.Chain, policy.Hook, policy.Priority));
        Assert.False(policy.Covered);
        Assert.False(Ping(_lab.HostA, UpstreamIp, attempts: 1), "the foreign drop policy kills egress though our table accepts it");

        var changes = _foreign.Open(Bridges);
        Assert.Equal(6, changes.Count);
        var listing = ForwardRules();
        Assert.Equal(6, Tagged(listing));
        Assert.Contains($"-A FORWARD -i {BridgeA} -m comment --comment mydocker -j ACCEPT", listing);
        Assert.Contains($"-A FORWARD -o {BridgeB} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT", listing);
        Assert.Contains($"-A FORWARD -o {BridgeB} -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT", listing);
        // Inserted at the top: the first six rules are ours, the other tool's rule comes after them.
        var rules = listing.Split('\n').Where(l => l.StartsWith("-A FORWARD", StringComparison.Ordinal)).ToList();
        Assert.All(rules.Take(6), l => Assert.Contains("--comment mydocker", l));
        Assert.Equal("-A FORWARD -i eth7 -j ACCEPT", rules[6]);

        Assert.True(Ping(_lab.HostA, UpstreamIp), "after Open, egress from our bridge passes the foreign FORWARD chain");
        Assert.False(Ping(_lab.HostA, HostBIp, attempts: 1), "our table still isolates the two networks");
        Assert.True(Assert.Single(_foreign.Inspect(Bridges), b => b.What == "policy drop").Covered);

        Assert.Empty(_foreign.Open(Bridges)); // idempotent: the listing shows every rule, nothing is added twice
        Assert.Equal(6, Tagged(ForwardRules()));

        _foreign.Open([BridgeA]); // network B removed: its three rules go, A's stay
        listing = ForwardRules();
        Assert.Equal(3, Tagged(listing));
        Assert.DoesNotContain(BridgeB, listing);

        _foreign.Close();
        listing = ForwardRules();
        Assert.Equal(0, Tagged(listing));
        Assert.Contains("-P FORWARD DROP", listing);
        Assert.Contains("-A FORWARD -i eth7 -j ACCEPT", listing);
        Assert.False(Ping(_lab.HostA, UpstreamIp, attempts: 1), "after Close the foreign policy applies to us again");
    }

    [Fact]
    public void A_published_port_works_through_the_foreign_drop_policy_after_Open()
    {
        _ours.Rebuild([A, B]);
        // A "published port" for ping: the router's upstream address is DNATed to host A (ICMP echo NATs by its id).
        _lab.Router.Exec("nft", "add", "table", "ip", "pub");
        _lab.Router.Exec("nft", "add", "chain", "ip", "pub", "pre", "{ type nat hook prerouting priority dstnat; }");
        _lab.Router.Exec("nft", "add", "rule", "ip", "pub", "pre", "ip", "daddr", RouterUpstreamIp, "icmp", "type", "echo-request", "dnat", "to", HostAIp);
        _lab.Router.Exec("iptables", "-P", "FORWARD", "DROP");

        Assert.False(Ping(_lab.Upstream, RouterUpstreamIp, attempts: 1), "the DNATed connection dies in the foreign FORWARD chain");

        _foreign.Open(Bridges);
        Assert.True(Ping(_lab.Upstream, RouterUpstreamIp), "after Open the published port reaches the container side");
        var conntrack = _lab.Router.Exec("conntrack", "-L", "-p", "icmp");
        Assert.Contains($"src={UpstreamIp} dst={RouterUpstreamIp}", conntrack);
        Assert.Contains($"src={HostAIp} dst={UpstreamIp}", conntrack); // the reply tuple: it really went to host A
    }

    [Fact]
    public void Without_a_drop_policy_nothing_is_added_and_leftovers_are_removed()
    {
        _ours.Rebuild([A]);
        _lab.Router.Exec("iptables", "-A", "FORWARD", "-i", "eth7", "-j", "ACCEPT"); // FORWARD exists, policy ACCEPT
        _lab.Router.Exec("iptables", "-I", "FORWARD", "1", "-i", "gone0", "-m", "comment", "--comment", "mydocker", "-j", "ACCEPT");

        Assert.Empty(_foreign.Inspect([BridgeA]));
        var changes = _foreign.Open([BridgeA]);
        Assert.Single(changes);
        var listing = ForwardRules();
        Assert.Equal(0, Tagged(listing));
        Assert.Contains("-A FORWARD -i eth7 -j ACCEPT", listing);
        Assert.True(Ping(_lab.HostA, GatewayA));
    }

    [Fact]
    public void A_foreign_nft_forward_chain_with_policy_drop_is_named_and_left_alone()
    {
        _ours.Rebuild([A]);
        _lab.Router.Exec("nft", "add", "table", "inet", "guard");
        _lab.Router.Exec("nft", "add", "chain", "inet", "guard", "fw", "{ type filter hook forward priority 10; policy drop; }");

        var blocker = Assert.Single(_foreign.Inspect([BridgeA]));
        Assert.Equal(("inet", "guard", "fw", 10, false), (blocker.Family, blocker.Table, blocker.Chain, blocker.Priority, blocker.Covered));
        Assert.Contains("nft insert rule inet guard fw", blocker.Fix);

        Assert.Empty(_foreign.Open([BridgeA])); // not iptables' chain: nothing to add, and nothing of the other tool touched
        Assert.Contains("policy drop", _lab.Router.Exec("nft", "list", "chain", "inet", "guard", "fw"));
        Assert.False(_lab.Router.TryExec("nft", "list", "table", "ip", "filter").ExitCode == 0, "no ip filter table was created");
    }
}
