using MyDocker.Engine;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Firewall;

public class NftFirewallTests
{
    private const string ListTable = "list table ip mydocker";
    private const string ListTables = "list tables ip";

    private static readonly FirewallNetwork A = new("md-a", "10.0.0.0/24", false);
    private static readonly FirewallNetwork B = new("md-b", "10.0.1.0/24", true);

    private const string Head = """
        add table ip mydocker
        delete table ip mydocker
        table ip mydocker {
          comment "owned by mydockerd"
        """;

    private const string Chains = """
          chain forward {
            type filter hook forward priority filter; policy accept;
            iifname . oifname @same_bridge accept
            iifname @internal_bridges drop
            oifname @internal_bridges drop
            iifname @bridges oifname @bridges drop
            oifname @bridges ct state established,related accept
            oifname @bridges ct status dnat accept
            oifname @bridges drop
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            iifname @masq_bridges oifname != @bridges masquerade
          }
        }
        """;

    private static string Single(FakeNftExecutor fake) => Assert.Single(fake.Applied);

    [Fact]
    public void Rebuild_with_no_network_writes_the_base_table_with_empty_sets()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).Rebuild([]);
        Assert.Equal(Head + "\n" + """
              set bridges {
                type ifname
              }
              set internal_bridges {
                type ifname
              }
              set masq_bridges {
                type ifname
              }
              set same_bridge {
                type ifname . ifname
              }
            """ + "\n" + Chains + "\n", Single(fake));
    }

    [Fact]
    public void Rebuild_with_one_network()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).Rebuild([A]);
        Assert.Equal(Head + "\n" + """
              set bridges {
                type ifname
                elements = { "md-a" }
              }
              set internal_bridges {
                type ifname
              }
              set masq_bridges {
                type ifname
                elements = { "md-a" }
              }
              set same_bridge {
                type ifname . ifname
                elements = { "md-a" . "md-a" }
              }
            """ + "\n" + Chains + "\n", Single(fake));
    }

    [Fact]
    public void Rebuild_with_two_networks_one_internal_sorts_by_bridge_and_masquerades_only_the_other()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).Rebuild([B, A]);
        Assert.Equal(Head + "\n" + """
              set bridges {
                type ifname
                elements = { "md-a", "md-b" }
              }
              set internal_bridges {
                type ifname
                elements = { "md-b" }
              }
              set masq_bridges {
                type ifname
                elements = { "md-a" }
              }
              set same_bridge {
                type ifname . ifname
                elements = { "md-a" . "md-a", "md-b" . "md-b" }
              }
            """ + "\n" + Chains + "\n", Single(fake));
    }

    [Fact]
    public void AddNetwork_adds_elements_and_clears_the_other_kind()
    {
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake);
        fw.AddNetwork(A);
        fw.AddNetwork(B);
        Assert.Equal([
            """
            add element ip mydocker bridges { "md-a" }
            add element ip mydocker same_bridge { "md-a" . "md-a" }
            add element ip mydocker internal_bridges { "md-a" }
            delete element ip mydocker internal_bridges { "md-a" }
            add element ip mydocker masq_bridges { "md-a" }

            """,
            """
            add element ip mydocker bridges { "md-b" }
            add element ip mydocker same_bridge { "md-b" . "md-b" }
            add element ip mydocker internal_bridges { "md-b" }
            add element ip mydocker masq_bridges { "md-b" }
            delete element ip mydocker masq_bridges { "md-b" }

            """], fake.Applied);
    }

    [Fact]
    public void RemoveNetwork_adds_then_deletes_every_element_so_a_missing_one_is_not_an_error()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).RemoveNetwork(A);
        Assert.Equal("""
            add element ip mydocker same_bridge { "md-a" . "md-a" }
            delete element ip mydocker same_bridge { "md-a" . "md-a" }
            add element ip mydocker internal_bridges { "md-a" }
            delete element ip mydocker internal_bridges { "md-a" }
            add element ip mydocker masq_bridges { "md-a" }
            delete element ip mydocker masq_bridges { "md-a" }
            add element ip mydocker bridges { "md-a" }
            delete element ip mydocker bridges { "md-a" }

            """, Single(fake));
    }

    [Fact]
    public void Remove_deletes_the_table_even_when_there_is_none()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).Remove();
        Assert.Equal("""
            add table ip mydocker
            delete table ip mydocker

            """, Single(fake));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x\"y")]
    [InlineData("0123456789abcdef")] // 16 bytes: IFNAMSIZ counts the NUL
    [InlineData("")]
    [InlineData("br*")]
    [InlineData("..")]
    [InlineData("br\n")]
    [InlineData("brü")]
    public void Bad_bridge_names_are_rejected_before_anything_reaches_nft(string name)
    {
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake);
        var n = new FirewallNetwork(name, "10.0.0.0/24", false);
        Assert.Throws<ArgumentException>(() => fw.AddNetwork(n));
        Assert.Throws<ArgumentException>(() => fw.RemoveNetwork(n));
        Assert.Throws<ArgumentException>(() => fw.Rebuild([A, n]));
        Assert.Empty(fake.Batches);
    }

    [Fact]
    public void A_15_byte_name_with_every_allowed_kind_of_character_is_accepted()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).AddNetwork(new FirewallNetwork("Az09_.-xxxxxxxx", "10.0.0.0/24", false));
        Assert.Contains("\"Az09_.-xxxxxxxx\"", Single(fake));
    }

    [Theory]
    [InlineData("10.0.0.1/24")] // host bits set: the caller passes the network address
    [InlineData("fd00::/64")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/24 } ; flush ruleset")]
    [InlineData("10.0.0.0/33")]
    public void Bad_subnets_are_rejected(string subnet)
    {
        var fake = new FakeNftExecutor();
        Assert.Throws<ArgumentException>(() => new NftFirewall(fake).AddNetwork(new FirewallNetwork("md-a", subnet, false)));
        Assert.Empty(fake.Batches);
    }

    [Fact]
    public void Rebuild_rejects_one_bridge_in_two_records()
    {
        var fake = new FakeNftExecutor();
        Assert.Throws<ArgumentException>(() => new NftFirewall(fake).Rebuild([A, A with { Subnet = "10.9.0.0/24" }]));
        Assert.Empty(fake.Batches);
    }

    [Fact]
    public void AddNetwork_without_a_table_builds_the_table_with_that_network()
    {
        var fake = new FakeNftExecutor()
            .FailWhen(c => c.StartsWith("add element", StringComparison.Ordinal))
            .On(ListTables, NoTablesJson);
        var fw = new NftFirewall(fake);
        fw.AddNetwork(A);

        var rebuild = fake.Batches.Last();
        Assert.False(rebuild.Rejected);
        Assert.StartsWith("add table ip mydocker\ndelete table ip mydocker\n", rebuild.Commands);
        Assert.Contains("set masq_bridges {\n    type ifname\n    elements = { \"md-a\" }", rebuild.Commands);
    }

    [Fact]
    public void AddNetwork_failing_while_the_table_exists_reports_the_bridge_and_nft_error()
    {
        var fake = new FakeNftExecutor()
            .FailWhen(c => c.StartsWith("add element", StringComparison.Ordinal), "Error: Could not process rule: File exists")
            .On(ListTables, OurTableJson);
        var e = Assert.Throws<EngineException>(() => new NftFirewall(fake).AddNetwork(A));
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Contains("md-a", e.Message);
        Assert.Contains("File exists", e.Message);
        Assert.DoesNotContain(fake.Batches, b => b.Commands.StartsWith("add table", StringComparison.Ordinal));
    }

    [Fact]
    public void RemoveNetwork_without_a_table_succeeds_and_creates_nothing()
    {
        var fake = new FakeNftExecutor()
            .FailWhen(c => c.StartsWith("add element", StringComparison.Ordinal))
            .On(ListTables, NoTablesJson);
        new NftFirewall(fake).RemoveNetwork(A);
        Assert.Equal([ListTables], fake.Applied);
    }

    [Fact]
    public void Read_parses_the_sets_of_our_table()
    {
        var fake = new FakeNftExecutor().On(ListTable, TableJson);
        var state = new NftFirewall(fake).Read();
        Assert.True(state.TableExists);
        Assert.Equal(["md-a", "md-b", "md-c"], state.Bridges.Order());
        Assert.Equal(["md-b"], state.InternalBridges.Order());
        Assert.Equal(["md-a", "md-c"], state.MasqueradeBridges.Order());
        Assert.Equal([(ListTable, true)], fake.Batches.Select(b => (b.Commands, b.Json)));
    }

    [Fact]
    public void Read_reports_an_incomplete_table_as_not_existing()
    {
        // The table is there but the postrouting chain was deleted behind our back: the reconciler must rebuild.
        var json = TableJson.Replace("\"postrouting\"", "\"other\"");
        var state = new NftFirewall(new FakeNftExecutor().On(ListTable, json)).Read();
        Assert.False(state.TableExists);
        Assert.Equal(3, state.Bridges.Count);
    }

    [Fact]
    public void Read_and_list_of_a_missing_table_return_empty()
    {
        var fake = new FakeNftExecutor().FailWhen(c => c == ListTable).On(ListTables, NoTablesJson);
        var fw = new NftFirewall(fake);
        var state = fw.Read();
        Assert.False(state.TableExists);
        Assert.Empty(state.Bridges);
        Assert.Equal("", fw.ListRulesetText());
    }

    [Fact]
    public void ListRulesetText_returns_nft_text_output()
    {
        var fake = new FakeNftExecutor().On(ListTable, "table ip mydocker {\n}\n", json: false);
        Assert.Equal("table ip mydocker {\n}\n", new NftFirewall(fake).ListRulesetText());
    }

    [Fact]
    public void Read_reports_which_sets_hold_a_bridge()
    {
        var state = new NftFirewall(new FakeNftExecutor().On(ListTable, TableJson)).Read();
        Assert.Equal(["bridges", "masq_bridges", "same_bridge"], state.SetsHolding("md-a"));
        Assert.Equal(["bridges", "internal_bridges", "same_bridge"], state.SetsHolding("md-b"));
        Assert.Equal(["bridges", "masq_bridges"], state.SetsHolding("md-c"));
        Assert.Empty(state.SetsHolding("eth0"));
    }

    [Fact]
    public void RulesUsing_picks_the_rules_that_look_up_the_given_sets()
    {
        // As `nft list table ip mydocker` prints it (nftables 1.0.6): tabs, multi-line element lists.
        const string listing = "table ip mydocker {\n\tcomment \"owned by mydockerd\"\n\tset bridges {\n\t\ttype ifname\n" +
            "\t\telements = { \"md-a\",\n\t\t\t     \"md-b\" }\n\t}\n\n\tchain forward {\n" +
            "\t\ttype filter hook forward priority filter; policy accept;\n\t\tiifname . oifname @same_bridge accept\n" +
            "\t\tiifname @internal_bridges drop\n\t\toifname @bridges drop\n\t}\n\n\tchain postrouting {\n" +
            "\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tiifname @masq_bridges oifname != @bridges masquerade\n\t}\n}\n";
        Assert.Equal(
            ["forward: iifname . oifname @same_bridge accept", "postrouting: iifname @masq_bridges oifname != @bridges masquerade"],
            NftRuleset.RulesUsing(listing, ["same_bridge", "masq_bridges"]));
        Assert.Equal(
            ["forward: oifname @bridges drop", "postrouting: iifname @masq_bridges oifname != @bridges masquerade"],
            NftRuleset.RulesUsing(listing, ["bridges"]));
        Assert.Empty(NftRuleset.RulesUsing("", ["bridges"]));
    }

    private const string NoTablesJson = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
         {"table": {"family": "ip", "name": "filter", "handle": 1}}]}
        """;

    private const string OurTableJson = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
         {"table": {"family": "ip", "name": "mydocker", "handle": 2}}]}
        """;

    // Shape taken from `nft -j list table ip mydocker` (nftables 1.0.6), rules left out; plus an element with a
    // comment ({"elem": {"val": ...}}) and a set of someone else's table that must be ignored.
    private const string TableJson = """
        {"nftables": [
          {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
          {"table": {"family": "ip", "name": "mydocker", "handle": 2}},
          {"set": {"family": "ip", "name": "bridges", "table": "mydocker", "type": "ifname", "handle": 3,
                   "elem": ["md-a", "md-b", {"elem": {"val": "md-c", "comment": "x"}}]}},
          {"set": {"family": "ip", "name": "internal_bridges", "table": "mydocker", "type": "ifname", "handle": 4,
                   "elem": ["md-b"]}},
          {"set": {"family": "ip", "name": "masq_bridges", "table": "mydocker", "type": "ifname", "handle": 5,
                   "elem": ["md-a", "md-c"]}},
          {"set": {"family": "ip", "name": "same_bridge", "table": "mydocker", "type": ["ifname", "ifname"], "handle": 6,
                   "elem": [{"concat": ["md-a", "md-a"]}, {"concat": ["md-b", "md-b"]}]}},
          {"set": {"family": "ip", "name": "bridges", "table": "other", "type": "ifname", "handle": 9, "elem": ["eth0"]}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "forward", "handle": 1, "type": "filter",
                     "hook": "forward", "prio": 0, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "postrouting", "handle": 2, "type": "nat",
                     "hook": "postrouting", "prio": 100, "policy": "accept"}}
        ]}
        """;
}
