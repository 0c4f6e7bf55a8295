using MyDocker.Engine;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Firewall;

public partial class NftFirewallTests
{
    private const string ListTable = "list table ip mydocker";
    private const string ListTables = "list tables ip";

    private static readonly FirewallNetwork A = new("md-a", "10.0.0.0/24", false);
    private static readonly FirewallNetwork B = new("md-b", "10.0.1.0/24", true);
    private static readonly PortMapping Web = new("tcp", null, 8080, System.Net.IPAddress.Parse("10.0.0.2"), 80);
    private static readonly PortMapping Dns = new("udp", System.Net.IPAddress.Parse("127.0.0.1"), 5353, System.Net.IPAddress.Parse("10.0.0.2"), 53);

    private const string Head = """
        add table ip mydocker
        delete table ip mydocker
        table ip mydocker {
          comment "owned by mydockerd"
        """;

    private const string Chains = """
          chain guard {
            type filter hook prerouting priority raw; policy accept;
            iifname @bridges ip daddr 127.0.0.0/8 drop
            ip daddr 169.254.53.53 iifname != @bridges iifname != "lo" drop
            ip daddr 169.254.53.53 fib saddr . iif oif missing drop
          }
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            ip daddr 127.0.0.0/8 return
            ip daddr 169.254.53.53 return
            dnat ip to ip daddr . meta l4proto . th dport map @ports_addr
            fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
          }
          chain output {
            type nat hook output priority -100; policy accept;
            ip daddr 169.254.53.53 return
            dnat ip to ip daddr . meta l4proto . th dport map @ports_addr
            fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
          }
          chain forward {
            type filter hook forward priority filter; policy accept;
            iifname . oifname @same_bridge accept
            iifname @internal_bridges drop
            oifname @internal_bridges drop
            oifname @bridges ct status dnat accept
            iifname @bridges oifname @bridges drop
            oifname @bridges ct state established,related accept
            oifname @bridges drop
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            ct status dnat oifname vmap @hairpin
            ct status dnat oifname @bridges fib saddr type local masquerade
            iifname @masq_bridges oifname != @bridges masquerade
          }
        }
        """;

    private const string EmptyMaps = """
          map ports_any {
            type inet_proto . inet_service : ipv4_addr . inet_service
          }
          map ports_addr {
            type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
          }
          map hairpin {
            type ifname : verdict
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
            """ + "\n" + EmptyMaps + "\n" + Chains + "\n", Single(fake));
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
            """ + "\n" + EmptyMaps + "\n" + """
              chain hp_md-a {
                ip saddr 10.0.0.0/24 masquerade
              }
            """ + "\n" + Chains + "\n" + """
            add element ip mydocker hairpin { "md-a" : jump hp_md-a }

            """, Single(fake));
    }

    [Fact]
    public void Rebuild_with_two_networks_one_internal_and_published_ports()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).Rebuild([B, A], [Web, Dns]);
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
              map ports_any {
                type inet_proto . inet_service : ipv4_addr . inet_service
                elements = { tcp . 8080 : 10.0.0.2 . 80 }
              }
              map ports_addr {
                type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
                elements = { 127.0.0.1 . udp . 5353 : 10.0.0.2 . 53 }
              }
              map hairpin {
                type ifname : verdict
              }
              chain hp_md-a {
                ip saddr 10.0.0.0/24 masquerade
              }
              chain hp_md-b {
                ip saddr 10.0.1.0/24 masquerade
              }
            """ + "\n" + Chains + "\n" + """
            add element ip mydocker hairpin { "md-a" : jump hp_md-a }
            add element ip mydocker hairpin { "md-b" : jump hp_md-b }

            """, Single(fake));
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
            add chain ip mydocker hp_md-a
            flush chain ip mydocker hp_md-a
            add rule ip mydocker hp_md-a ip saddr 10.0.0.0/24 masquerade
            add element ip mydocker hairpin { "md-a" : jump hp_md-a }
            add element ip mydocker internal_bridges { "md-a" }
            delete element ip mydocker internal_bridges { "md-a" }
            add element ip mydocker masq_bridges { "md-a" }

            """,
            """
            add element ip mydocker bridges { "md-b" }
            add element ip mydocker same_bridge { "md-b" . "md-b" }
            add chain ip mydocker hp_md-b
            flush chain ip mydocker hp_md-b
            add rule ip mydocker hp_md-b ip saddr 10.0.1.0/24 masquerade
            add element ip mydocker hairpin { "md-b" : jump hp_md-b }
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
            add chain ip mydocker hp_md-a
            add element ip mydocker hairpin { "md-a" : jump hp_md-a }
            delete element ip mydocker hairpin { "md-a" : jump hp_md-a }
            delete chain ip mydocker hp_md-a

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
        // md-b's element names a chain the listing does not have: not a working hairpin.
        Assert.Equal(["md-a"], state.HairpinBridges.Order());
        Assert.Equal([Web, Dns], state.Ports);
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
        Assert.Equal(["bridges", "masq_bridges", "same_bridge", "hairpin"], state.SetsHolding("md-a"));
        Assert.Equal(["bridges", "internal_bridges", "same_bridge"], state.SetsHolding("md-b"));
        Assert.Equal(["bridges", "masq_bridges"], state.SetsHolding("md-c"));
        Assert.Empty(state.SetsHolding("eth0"));
    }

    [Fact]
    public void AddPorts_publishes_every_mapping_in_one_batch()
    {
        var fake = new FakeNftExecutor();
        new NftFirewall(fake).AddPorts([Web, Dns]);
        Assert.Equal("""
            add element ip mydocker ports_any { tcp . 8080 : 10.0.0.2 . 80 }
            add element ip mydocker ports_addr { 127.0.0.1 . udp . 5353 : 10.0.0.2 . 53 }

            """, Single(fake));
    }

    [Fact]
    public void AddPorts_over_a_stale_element_replaces_it_in_the_same_transaction()
    {
        // The kernel holds tcp 8080 → 10.0.0.2:80 (TableJson); the new owner is 10.0.0.9. A plain add is refused (EEXIST),
        // so the retry deletes the key and adds it again in one batch: no moment without a mapping, none with the old one.
        var moved = Web with { ContainerIp = System.Net.IPAddress.Parse("10.0.0.9") };
        var fake = new FakeNftExecutor()
            .FailWhen(c => c.StartsWith("add element ip mydocker ports_any", StringComparison.Ordinal), "Error: Could not process rule: File exists")
            .On(ListTables, OurTableJson)
            .On(ListTable, TableJson);
        new NftFirewall(fake).AddPorts([moved]);
        Assert.Equal("""
            delete element ip mydocker ports_any { tcp . 8080 }
            add element ip mydocker ports_any { tcp . 8080 : 10.0.0.9 . 80 }

            """, fake.Applied.Last());
    }

    [Fact]
    public void RemovePorts_deletes_by_key_and_retries_with_only_the_keys_the_kernel_holds()
    {
        var gone = new PortMapping("tcp", null, 9999, System.Net.IPAddress.Parse("10.0.0.3"), 80);
        var fake = new FakeNftExecutor()
            .FailWhen(c => c.Contains("9999"))
            .On(ListTables, OurTableJson)
            .On(ListTable, TableJson);
        new NftFirewall(fake).RemovePorts([gone, Web]);
        Assert.Equal("""
            delete element ip mydocker ports_any { tcp . 8080 }

            """, fake.Applied.Last());
    }

    [Fact]
    public void RemovePorts_without_a_table_is_done()
    {
        var fake = new FakeNftExecutor().FailWhen(c => c.StartsWith("delete", StringComparison.Ordinal)).On(ListTables, NoTablesJson);
        new NftFirewall(fake).RemovePorts([Web]);
        Assert.DoesNotContain(fake.Applied, a => a.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_rebuilds_a_flushed_table_with_everything_the_engine_holds()
    {
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake);
        fw.Rebuild([A]);
        fw.AddPorts([Web]);
        fake.FailWhen(c => c == ListTable).On(ListTables, NoTablesJson);

        Assert.Contains("restored", fw.Restore());
        var rebuild = fake.Applied.Last();
        Assert.StartsWith("add table ip mydocker\ndelete table ip mydocker\n", rebuild);
        Assert.Contains("elements = { tcp . 8080 : 10.0.0.2 . 80 }", rebuild);
        Assert.Contains("elements = { \"md-a\" }", rebuild);
    }

    [Fact]
    public void Restore_leaves_a_matching_table_alone()
    {
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake);
        fw.Rebuild([A]);
        fw.AddPorts([Web]);
        string json = RealisticTable("md-a", "10.0.0.0/24", "[[{\"concat\": [\"tcp\", 8080]}, {\"concat\": [\"10.0.0.2\", 80]}]]");
        fake.On(ListTable, json);
        int before = fake.Applied.Count;
        Assert.Null(fw.Restore());
        Assert.DoesNotContain(fake.Applied.Skip(before), a => a.StartsWith("add", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_lists_the_table_only_when_the_ruleset_generation_moved_since_the_last_match()
    {
        uint generation = 7;
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake, new NftCommits(() => generation));
        fw.Rebuild([A]);
        fw.AddPorts([Web]);
        fake.On(ListTable, RealisticTable("md-a", "10.0.0.0/24", "[[{\"concat\": [\"tcp\", 8080]}, {\"concat\": [\"10.0.0.2\", 80]}]]"));
        int Listings() => fake.Batches.Count(b => b.Commands == ListTable);

        Assert.Null(fw.Restore());          // first check: listed, matches, generation 7 remembered
        Assert.Equal(1, Listings());
        Assert.Null(fw.Restore());          // nothing committed since: not listed again
        Assert.Equal(1, Listings());
        generation = 8;                     // someone's transaction
        Assert.Null(fw.Restore());
        Assert.Equal(2, Listings());
        fw.RemovePorts([Web]);              // our own change forgets the match even at the same generation
        Assert.Contains("rebuilt", fw.Restore());
        Assert.Equal(3, Listings());
    }

    [Fact]
    public void Our_own_batch_right_after_a_match_keeps_the_match_and_someone_elses_does_not()
    {
        var fake = new FakeNftExecutor();
        uint extra = 0;
        // One generation per committed batch, as nf_tables_commit counts them, plus commits by someone else.
        uint? Generation() => (uint)fake.Applied.Count(a => !a.StartsWith("list", StringComparison.Ordinal)) + extra;
        var fw = new NftFirewall(fake, new NftCommits(Generation));
        fw.Rebuild([A]);                                    // the whole table: matches the model by construction
        int Listings() => fake.Batches.Count(b => b.Commands == ListTable);

        Assert.Null(fw.Restore());
        Assert.Equal(0, Listings());
        fw.AddPorts([Web]);                                 // our batch, the only commit since the match
        fw.RemovePorts([Web]);
        Assert.Null(fw.Restore());
        Assert.Equal(0, Listings());

        extra++;                                            // someone else's commit
        fake.On(ListTable, RealisticTable("md-a", "10.0.0.0/24", "[]"));
        Assert.Null(fw.Restore());
        Assert.Equal(1, Listings());
    }

    [Fact]
    public void Restore_does_nothing_before_the_engine_asked_for_anything()
    {
        var fake = new FakeNftExecutor();
        Assert.Null(new NftFirewall(fake).Restore());
        Assert.Empty(fake.Batches);
    }

    /// <summary>A complete table with one masqueraded network and the given ports_any elements.</summary>
    private static string RealisticTable(string bridge, string subnet, string portsAny, int hostRoutingRules = 0) => $$$"""
        {"nftables": [
          {"table": {"family": "ip", "name": "mydocker", "handle": 2}},
          {"set": {"family": "ip", "name": "bridges", "table": "mydocker", "type": "ifname", "elem": ["{{{bridge}}}"]}},
          {"set": {"family": "ip", "name": "internal_bridges", "table": "mydocker", "type": "ifname"}},
          {"set": {"family": "ip", "name": "masq_bridges", "table": "mydocker", "type": "ifname", "elem": ["{{{bridge}}}"]}},
          {"set": {"family": "ip", "name": "same_bridge", "table": "mydocker", "type": ["ifname", "ifname"], "elem": [{"concat": ["{{{bridge}}}", "{{{bridge}}}"]}]}},
          {"map": {"family": "ip", "name": "ports_any", "table": "mydocker", "map": "ipv4_addr . inet_service", "elem": {{{portsAny}}}}},
          {"map": {"family": "ip", "name": "ports_addr", "table": "mydocker", "map": "ipv4_addr . inet_service"}},
          {"map": {"family": "ip", "name": "hairpin", "table": "mydocker", "map": "verdict", "elem": [["{{{bridge}}}", {"jump": {"target": "hp_{{{bridge}}}"}}]]}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "hp_{{{bridge}}}"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "guard"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "prerouting"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "output"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "forward"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "postrouting"}},
          {"rule": {"family": "ip", "table": "mydocker", "chain": "hp_{{{bridge}}}", "comment": "{{{subnet}}}"}},
          {{{Rules("guard", 3)}}}, {{{Rules("prerouting", 4)}}}, {{{Rules("output", 3)}}}, {{{Rules("forward", 7)}}}, {{{Rules("postrouting", 3)}}}
          {{{(hostRoutingRules > 0 ? ", " + Rules("host_routing", hostRoutingRules) : "")}}}
        ]}
        """;

    private static string Rules(string chain, int count) =>
        string.Join(", ", Enumerable.Repeat("{\"rule\": {\"family\": \"ip\", \"table\": \"mydocker\", \"chain\": \"" + chain + "\"}}", count));

    [Fact]
    public void Restore_puts_back_a_rule_deleted_by_hand()
    {
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake);
        fw.Rebuild([A]);
        fw.AddPorts([Web]);
        string json = RealisticTable("md-a", "10.0.0.0/24", "[[{\"concat\": [\"tcp\", 8080]}, {\"concat\": [\"10.0.0.2\", 80]}]]");
        // The loopback guard of prerouting ("ip daddr 127.0.0.0/8 return") deleted: 3 rules where there are 4.
        int at = json.IndexOf("\"chain\": \"prerouting\"}}", StringComparison.Ordinal);
        json = json.Remove(json.LastIndexOf("{\"rule\"", at, StringComparison.Ordinal), json.IndexOf("}}", at, StringComparison.Ordinal) + 4 - json.LastIndexOf("{\"rule\"", at, StringComparison.Ordinal));
        fake.On(ListTable, json);
        Assert.Contains("rebuilt", fw.Restore());
        Assert.StartsWith("add table ip mydocker\ndelete table ip mydocker\n", fake.Applied.Last());
    }

    [Theory]
    [InlineData("sctp", 80, 80)]
    [InlineData("tcp", 0, 80)]
    [InlineData("udp", 80, 65536)]
    public void Bad_port_mappings_are_rejected_before_anything_reaches_nft(string protocol, int hostPort, int containerPort)
    {
        var fake = new FakeNftExecutor();
        var bad = new PortMapping(protocol, null, hostPort, System.Net.IPAddress.Parse("10.0.0.2"), containerPort);
        Assert.Throws<ArgumentException>(() => new NftFirewall(fake).AddPorts([bad]));
        Assert.Throws<ArgumentException>(() => new NftFirewall(fake).Rebuild([A], [bad]));
        Assert.Empty(fake.Batches);
    }

    [Fact]
    public void A_wildcard_host_address_must_be_given_as_null()
    {
        var bad = Web with { HostIp = System.Net.IPAddress.Any };
        Assert.Throws<ArgumentException>(() => new NftFirewall(new FakeNftExecutor()).AddPorts([bad]));
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
          {"map": {"family": "ip", "name": "ports_any", "table": "mydocker", "type": ["inet_proto", "inet_service"], "handle": 7,
                   "map": "ipv4_addr . inet_service", "elem": [[{"concat": ["tcp", 8080]}, {"concat": ["10.0.0.2", 80]}]]}},
          {"map": {"family": "ip", "name": "ports_addr", "table": "mydocker", "type": ["ipv4_addr", "inet_proto", "inet_service"],
                   "handle": 8, "map": "ipv4_addr . inet_service",
                   "elem": [[{"concat": ["127.0.0.1", "udp", 5353]}, {"concat": ["10.0.0.2", 53]}]]}},
          {"map": {"family": "ip", "name": "hairpin", "table": "mydocker", "type": "ifname", "handle": 10, "map": "verdict",
                   "elem": [["md-a", {"jump": {"target": "hp_md-a"}}], ["md-b", {"jump": {"target": "hp_md-b"}}]]}},
          {"set": {"family": "ip", "name": "bridges", "table": "other", "type": "ifname", "handle": 9, "elem": ["eth0"]}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "hp_md-a", "handle": 11}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "guard", "handle": 12, "type": "filter",
                     "hook": "prerouting", "prio": -300, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "prerouting", "handle": 13, "type": "nat",
                     "hook": "prerouting", "prio": -100, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "output", "handle": 14, "type": "nat",
                     "hook": "output", "prio": -100, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "forward", "handle": 1, "type": "filter",
                     "hook": "forward", "prio": 0, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "mydocker", "name": "postrouting", "handle": 2, "type": "nat",
                     "hook": "postrouting", "prio": 100, "policy": "accept"}}
        ]}
        """;
}
