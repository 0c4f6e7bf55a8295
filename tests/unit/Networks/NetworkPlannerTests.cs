using MyDocker.Engine;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;

namespace MyDocker.UnitTests.Networks;

public class NetworkPlannerTests
{
    private static readonly IReadOnlyList<AddressPool> Pools = EngineOptions.DockerAddressPools;

    private static NetworkPlan Plan(NetworkCreateSpec spec,
        IReadOnlyCollection<OccupiedSubnet>? occupied = null, Func<string, bool>? deviceExists = null,
        IReadOnlyCollection<(string, string, string)>? networks = null) =>
        NetworkPlanner.Plan(spec, networks ?? [], occupied ?? [], deviceExists ?? (_ => false), Pools);

    [Fact]
    public void Seed_form_with_host_bits_gives_the_subnet_and_that_gateway()
    {
        var p = Plan(new("testbr", "bridge", "10.10.10.1/24"));
        Assert.Equal("10.10.10.0/24", p.Subnet.ToString());
        Assert.Equal("10.10.10.1", IPv4.ToAddress(p.Gateway).ToString());
        Assert.Equal("md-" + p.Id[..12], p.Bridge);
        Assert.Equal(15, p.Bridge.Length);
        Assert.Equal(p.Bridge, p.Options[NetworkPlanner.BridgeNameOption]);
    }

    [Fact]
    public void Default_gateway_is_the_first_host_and_custom_bridge_name_is_kept()
    {
        var p = Plan(new("n", Subnet: "10.0.0.0/16", Options: new Dictionary<string, string> { ["bridge.name"] = "br0" }));
        Assert.Equal("10.0.0.1", IPv4.ToAddress(p.Gateway).ToString());
        Assert.Equal("br0", p.Bridge);
    }

    [Fact]
    public void Without_subnet_the_first_free_pool_subnet_is_chosen()
    {
        var occupied = new List<OccupiedSubnet>
        {
            new(IPv4Subnet.Parse("172.17.0.0/16"), "network 'a'"),
            new(IPv4Subnet.Parse("172.18.0.0/24"), "the host route"),
        };
        Assert.Equal("172.19.0.0/16", Plan(new("n"), occupied).Subnet.ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.0.0/16")]   // equal
    [InlineData("10.0.0.0/8", "10.0.0.0/16")]    // wider
    [InlineData("10.0.5.0/24", "10.0.0.0/16")]   // narrower
    public void Overlap_is_a_conflict_naming_the_holder(string requested, string taken)
    {
        var e = Assert.Throws<EngineException>(() =>
            Plan(new("n", Subnet: requested), [new OccupiedSubnet(IPv4Subnet.Parse(taken), "network 'other'")]));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("network 'other'", e.Message);
    }

    [Theory]
    [InlineData("10.0.0.300/24", null, null, "300")]
    [InlineData("10.0.0.0/7", null, null, "/8 to /30")]
    [InlineData("10.0.0.0/31", null, null, "/8 to /30")]
    [InlineData("10.0.0.0/24", "10.0.1.1", null, "outside")]
    [InlineData("10.0.0.0/24", "10.0.0.255", null, "broadcast")]
    [InlineData("10.0.0.0/24", "10.0.0.0", null, "network address")]
    [InlineData("10.0.0.1/24", "10.0.0.2", null, "host bits")]
    [InlineData("10.0.0.0/24", null, "10.0.1.0/24", "not inside")]
    [InlineData("10.0.0.0/24", null, "10.0.0.1/25", "host bits")]
    [InlineData(null, "10.0.0.1", null, "--subnet")]
    [InlineData(null, null, "10.0.0.0/24", "--subnet")]
    public void Bad_addressing_is_refused_with_a_message_naming_it(string? subnet, string? gateway, string? range, string mentions)
    {
        var e = Assert.Throws<EngineException>(() => Plan(new("n", Subnet: subnet, Gateway: gateway, IpRange: range)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(mentions, e.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a/b", "'/'")]
    [InlineData("a..b", "'..'")]
    [InlineData("a b", "space")]
    [InlineData("a\u0007b", "control")]
    [InlineData("-a", "start")]
    [InlineData("a$b", "'$'")]
    public void Bad_names_are_refused(string name, string mentions)
    {
        var e = Assert.Throws<EngineException>(() => Plan(new(name)));
        Assert.Contains(mentions, e.Message);
        Assert.DoesNotContain("\u0007", e.Message);
    }

    [Fact]
    public void Too_long_names_and_bridge_names_are_refused()
    {
        Assert.Contains("64", Assert.Throws<EngineException>(() => Plan(new(new string('x', 65)))).Message);
        var e = Assert.Throws<EngineException>(() => Plan(new("n", Options: new Dictionary<string, string> { ["com.docker.network.bridge.name"] = "abcdefghijklmnop" })));
        Assert.Contains("15 bytes", e.Message);
    }

    [Fact]
    public void Existing_devices_duplicate_names_and_unknown_drivers_are_refused()
    {
        var e = Assert.Throws<EngineException>(() => Plan(new("n", Options: new Dictionary<string, string> { ["bridge.name"] = "eth0" }), deviceExists: d => d == "eth0"));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("never adopts", e.Message);

        e = Assert.Throws<EngineException>(() => Plan(new("web"), networks: [("web", new string('a', 64), "md-aaaaaaaaaaaa")]));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("already exists", e.Message);

        e = Assert.Throws<EngineException>(() => Plan(new("n", "macvlan")));
        Assert.Contains("only 'bridge'", e.Message);
    }

    [Fact]
    public void Unsupported_driver_options_are_refused_not_ignored()
    {
        var e = Assert.Throws<EngineException>(() => Plan(new("n", Options: new Dictionary<string, string> { ["com.docker.network.driver.mtu"] = "9000" })));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("com.docker.network.driver.mtu", e.Message);
        Assert.Contains("bridge.name", e.Message);
    }

    [Fact]
    public void Exhausted_pools_say_so()
    {
        var everything = new List<OccupiedSubnet> { new(IPv4Subnet.Parse("0.0.0.0/1"), "x"), new(IPv4Subnet.Parse("128.0.0.0/1"), "y") };
        var e = Assert.Throws<EngineException>(() => Plan(new("n"), everything));
        Assert.Contains("pass --subnet", e.Message);
    }

    [Theory]
    [InlineData("169.254.169.252/30", "169.254.0.0/16", "instance metadata")]
    [InlineData("169.254.0.0/16", "169.254.0.0/16", "link-local")]
    [InlineData("0.0.0.0/8", "0.0.0.0/8", "this network")]
    [InlineData("0.1.0.0/24", "0.0.0.0/8", "this network")]
    [InlineData("127.0.0.0/24", "127.0.0.0/8", "loopback")]
    [InlineData("224.0.0.0/24", "224.0.0.0/4", "multicast")]
    [InlineData("239.255.0.0/16", "224.0.0.0/4", "multicast")]
    [InlineData("240.0.0.0/24", "240.0.0.0/4", "reserved")]
    [InlineData("255.255.255.0/24", "240.0.0.0/4", "limited broadcast")]
    public void M8_special_purpose_blocks_are_refused_naming_the_reason_and_the_fix(string subnet, string block, string reason)
    {
        var e = Assert.Throws<EngineException>(() => Plan(new("n", Subnet: subnet)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"subnet {subnet} overlaps {block}", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains("choose a private subnet", e.Message);
    }

    [Theory]
    [InlineData("169.253.0.0/16")]
    [InlineData("169.255.0.0/16")]
    [InlineData("1.0.0.0/8")]
    [InlineData("126.255.255.0/24")]
    [InlineData("223.255.255.0/24")]
    public void M8_the_neighbours_of_special_purpose_blocks_are_allowed(string subnet) =>
        Assert.Equal(subnet, Plan(new("n", Subnet: subnet)).Subnet.ToString());

    [Fact]
    public void M8_a_subnet_holding_a_name_server_of_the_host_is_refused_naming_it_and_the_file()
    {
        var servers = NetworkPlanner.NameServers(
            "# generated\nsearch example.org\nnameserver 203.0.113.53\nnameserver 127.0.0.53\nnameserver 2001:db8::53\noptions edns0\n",
            "/etc/resolv.conf");
        Assert.Equal(["203.0.113.53/32", "127.0.0.53/32"], servers.Select(s => s.Subnet.ToString()));

        var e = Assert.Throws<EngineException>(() => Plan(new("n", Subnet: "203.0.113.0/24"), servers));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("the host's name server 203.0.113.53 (/etc/resolv.conf)", e.Message);
        Assert.Contains("DNS queries", e.Message);
        Assert.Contains("choose a subnet that does not overlap it", e.Message);
        // Beside it is fine, and a network without --subnet never lands on it.
        Assert.Equal("203.0.112.0/24", Plan(new("n", Subnet: "203.0.112.0/24"), servers).Subnet.ToString());
        Assert.Equal("172.18.0.0/16", Plan(new("n"), [.. NetworkPlanner.NameServers("nameserver 172.17.0.53", "x")]).Subnet.ToString());
    }

    [Fact]
    public void M8_a_pool_in_a_special_purpose_block_is_skipped()
    {
        var pools = new List<AddressPool> { new() { Base = "169.254.0.0/16", Size = 24 }, new() { Base = "10.99.0.0/16", Size = 24 } };
        Assert.Equal("10.99.0.0/24", NetworkPlanner.PickFreeSubnet(pools, []).ToString());
    }
}
