using System.Runtime.CompilerServices;
using MyDocker.Engine;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Firewall;

/// <summary>
/// Fixtures captured once in a throw-away netns (nft 1.0.6, iptables 1.8.9 nf_tables): Docker-style iptables rules
/// (FORWARD policy DROP, DOCKER-USER, DOCKER-FORWARD) with our three tagged rules for md-a only, our own table for
/// md-a and md-b, and a foreign "inet other" table with a policy-drop forward chain, assorted drops, a jump to a
/// dropping chain, a prerouting drop and an output chain.
/// </summary>
public class ForeignFirewallTests
{
    private static readonly string Ruleset = Fixture("foreign-ruleset.json");
    private static readonly string Listing = Fixture("foreign-iptables-S-FORWARD.txt");

    private static string Fixture(string name, [CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name));

    private static List<ForeignBlocker> Analyse(params string[] bridges) =>
        ForeignAnalysis.Blockers(ForeignRuleset.Parse(Ruleset), bridges, IptablesForward.Parse(Listing));

    [Fact]
    public void Parser_reads_chains_with_hooks_priorities_policies_and_rules_in_order()
    {
        var rs = ForeignRuleset.Parse(Ruleset);
        var forward = Assert.Single(rs.Chains, c => c is { Family: "ip", Table: "filter", Name: "FORWARD" });
        Assert.Equal(("filter", "forward", 0, "drop"), (forward.Type, forward.Hook, forward.Priority, forward.Policy));
        Assert.False(rs.Chain("ip", "filter", "DOCKER-FORWARD")!.IsBase);
        Assert.Equal(10, rs.Chain("inet", "other", "fw")!.Priority);
        Assert.Equal(-150, rs.Chain("inet", "other", "pre")!.Priority);

        var rules = rs.RulesOf("ip", "filter", "FORWARD");
        Assert.Equal(5, rules.Count);
        Assert.Equal("iifname \"md-a\" -m comment accept", rules[0].Text);
        Assert.Equal(RuleVerdict.Jump, rules[4].Verdict);
        Assert.Equal("DOCKER-FORWARD", rules[4].Target);

        var trusted = rs.RulesOf("inet", "other", "fw").Single(r => r.Verdict == RuleVerdict.Reject);
        Assert.Equal(["eth1", "md-b"], Assert.Single(trusted.Output).Names); // the named set, resolved
    }

    [Fact]
    public void Iptables_listing_yields_our_tagged_rules_with_their_positions()
    {
        var f = IptablesForward.Parse(Listing);
        Assert.Equal(5, f.RuleCount);
        Assert.Equal(
            [new TaggedRule(0, OurRule.FromBridge, "md-a"), new TaggedRule(1, OurRule.RepliesToBridge, "md-a"), new TaggedRule(2, OurRule.PublishedToBridge, "md-a")],
            f.Tagged);
        Assert.True(f.Complete("md-a"));
        Assert.False(f.Complete("md-b"));
        Assert.Equal("DROP", IptablesRules.Policy(Listing));
    }

    [Fact]
    public void A_rule_tagged_mydocker_by_hand_in_another_shape_is_not_ours()
    {
        var listing = """
            -P FORWARD DROP
            -A FORWARD -i md-a -p tcp -m comment --comment mydocker -j ACCEPT
            -A FORWARD -i md-a -m comment --comment "mydocker x" -j ACCEPT
            -A FORWARD -o md-b -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT
            """;
        Assert.Equal([new TaggedRule(2, OurRule.PublishedToBridge, "md-b")], IptablesRules.ParseTagged(listing));
    }

    [Fact]
    public void The_iptables_policy_drop_is_named_and_is_covered_only_when_every_bridge_has_its_three_rules()
    {
        var both = Assert.Single(Analyse("md-a", "md-b"), b => b is { Table: "filter", Chain: "FORWARD", What: "policy drop" });
        Assert.Equal(("ip", "forward", 0), (both.Family, both.Hook, both.Priority));
        Assert.False(both.Covered);
        Assert.True(both.Certain);
        Assert.Contains("mydocker system reconcile", both.Fix);

        var onlyA = Assert.Single(Analyse("md-a"), b => b is { Table: "filter", Chain: "FORWARD", What: "policy drop" });
        Assert.True(onlyA.Covered);
    }

    [Fact]
    public void Drops_in_chains_jumped_to_from_FORWARD_after_our_rules_are_covered()
    {
        var blockers = Analyse("md-a").Where(b => b.Chain == "DOCKER-FORWARD").ToList();
        Assert.Equal(2, blockers.Count); // -m conntrack --ctstate INVALID -j DROP, ! -i docker0 -o docker0 -j DROP
        Assert.All(blockers, b =>
        {
            Assert.Equal("FORWARD", b.Via);
            Assert.True(b.Covered);
            Assert.False(b.Certain); // an opaque conntrack match; a drop only towards docker0
        });
        Assert.Contains(blockers, b => b.What == "rule 'iifname != \"docker0\" oifname \"docker0\" drop'");
    }

    [Fact]
    public void A_foreign_nft_table_with_policy_drop_is_named_with_an_nft_fix_and_is_never_covered()
    {
        var fw = Assert.Single(Analyse("md-a", "md-b"), b => b is { Table: "other", Chain: "fw", What: "policy drop" });
        Assert.Equal(("inet", "forward", 10, false), (fw.Family, fw.Hook, fw.Priority, fw.Covered));
        Assert.Equal("inet other fw", fw.Object);
        Assert.Contains("nft insert rule inet other fw iifname \"md-a\" accept", fw.Fix);
        Assert.Equal(["md-a", "md-b"], fw.Bridges);
    }

    [Fact]
    public void Rules_are_judged_by_their_interface_matches()
    {
        var other = Analyse("md-a", "md-b").Where(b => b.Table == "other" && b.What != "policy drop").ToList();
        // Reported: the reject via @trusted, the port 25 drop, the drop in "deny" and the prerouting drop. Not reported:
        // "ct state invalid drop", "iifname eth9 oifname eth8 drop", and the drop that excludes both bridges.
        Assert.Equal(4, other.Count);

        var trusted = Assert.Single(other, b => b.What == "rule 'oifname @trusted reject'");
        Assert.Equal(["md-a", "md-b"], trusted.Bridges);
        Assert.True(trusted.Certain); // into md-b from anywhere

        var smtp = Assert.Single(other, b => b.What == "rule 'tcp dport 25 drop'");
        Assert.False(smtp.Certain);

        var deny = Assert.Single(other, b => b.Chain == "deny");
        Assert.Equal("fw", deny.Via);
        Assert.True(deny.Certain); // reached by "iifname md-*", which both bridges match
        Assert.Equal("rule 'drop'", deny.What);
    }

    [Fact]
    public void A_prerouting_drop_is_reported_and_an_output_chain_and_our_own_table_are_not()
    {
        var all = Analyse("md-a", "md-b");
        var pre = Assert.Single(all, b => b.Hook == "prerouting");
        Assert.Equal(("pre", -150, false), (pre.Chain, pre.Priority, pre.Certain));
        Assert.Equal("rule 'ip saddr 192.0.2.0/24 drop'", pre.What);
        Assert.DoesNotContain(all, b => b.Table == "mydocker" || b.Chain == "out");
    }

    [Fact]
    public void Without_bridges_nothing_of_ours_is_blocked() => Assert.Empty(Analyse());

    [Fact]
    public void Iptables_argument_lists_are_dockers_rules_tagged_and_waiting_for_the_lock()
    {
        Assert.Equal(["-w", "5", "-C", "FORWARD", "-i", "br0", "-m", "comment", "--comment", "mydocker", "-j", "ACCEPT"],
            IptablesRules.Check(OurRule.FromBridge, "br0"));
        Assert.Equal(["-w", "5", "-I", "FORWARD", "1", "-o", "br0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-m", "comment", "--comment", "mydocker", "-j", "ACCEPT"],
            IptablesRules.Insert(OurRule.RepliesToBridge, "br0"));
        Assert.Equal(["-w", "5", "-D", "FORWARD", "-o", "br0", "-m", "conntrack", "--ctstate", "DNAT", "-m", "comment", "--comment", "mydocker", "-j", "ACCEPT"],
            IptablesRules.Delete(OurRule.PublishedToBridge, "br0"));
        Assert.Equal(["-w", "5", "-S", "FORWARD"], IptablesRules.List());
    }

    // ---- ForeignFirewall over fakes ----

    private static FakeProgramRunner Iptables(string listing, Func<IReadOnlyList<string>, int>? check = null) =>
        new((program, args) =>
        {
            Assert.Equal("iptables", program);
            return args[2] switch
            {
                "-S" => new ProgramResult(0, listing, ""),
                "-C" => new ProgramResult(check?.Invoke(args) ?? 1, "", ""),
                _ => new ProgramResult(0, "", ""),
            };
        });

    // Open reads the chains only, Inspect the whole ruleset: the same capture answers both.
    private static ForeignFirewall Firewall(string ruleset, FakeProgramRunner runner, Func<uint?>? generation = null) =>
        new(new FakeNftExecutor().On("list ruleset", ruleset).On("list chains", ruleset), runner, generation: generation,
            legacyTableNames: "/nonexistent/ip_tables_names");

    [Fact]
    public void OpenIfChanged_checks_again_only_when_the_generation_or_the_bridges_moved()
    {
        uint generation = 5;
        var runner = Iptables(Listing, check: _ => 0);   // every rule of ours is there: nothing to change
        var fw = Firewall(Ruleset, runner, () => generation);
        int Listings() => runner.Lines.Count(l => l.EndsWith("-S FORWARD", StringComparison.Ordinal));

        Assert.Empty(fw.OpenIfChanged(["md-a"]));
        Assert.Equal(1, Listings());
        Assert.Empty(fw.OpenIfChanged(["md-a"]));          // same generation, same bridges: no iptables at all
        Assert.Equal(1, Listings());
        fw.OpenIfChanged(["md-a", "md-b"]);                 // a bridge more
        Assert.Equal(2, Listings());
        generation = 6;                                     // someone's transaction
        fw.OpenIfChanged(["md-a", "md-b"]);
        Assert.Equal(3, Listings());
    }

    [Fact]
    public void Open_inserts_the_missing_rules_at_the_top_after_checking_each_and_keeps_existing_ones()
    {
        var runner = Iptables(Listing, check: args => args[5] == "md-a" ? 0 : 1);
        var changes = Firewall(Ruleset, runner).Open(["md-b", "md-a"]);

        Assert.Equal(
        [
            "iptables -w 5 -S FORWARD",
            "iptables -w 5 -C FORWARD -o md-a -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -C FORWARD -o md-a -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -C FORWARD -i md-a -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -C FORWARD -o md-b -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -I FORWARD 1 -o md-b -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -C FORWARD -o md-b -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -I FORWARD 1 -o md-b -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -C FORWARD -i md-b -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -I FORWARD 1 -i md-b -m comment --comment mydocker -j ACCEPT",
        ], runner.Lines);
        Assert.Equal(3, changes.Count);
        // Argument lists, never one string: a bridge name is one argument.
        Assert.All(runner.Calls, c => Assert.DoesNotContain(c.Args, a => a.Contains(' ')));
    }

    [Fact]
    public void Open_deletes_tagged_rules_of_bridges_that_are_no_longer_ours()
    {
        var runner = Iptables(Listing, check: _ => 0);
        Firewall(Ruleset, runner).Open(["md-b"]);
        Assert.Equal(
        [
            "iptables -w 5 -D FORWARD -i md-a -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -D FORWARD -o md-a -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -D FORWARD -o md-a -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT",
        ], runner.Lines.Where(l => l.Contains(" -D ")));
        Assert.DoesNotContain(runner.Lines, l => l.Contains(" -I "));
    }

    [Fact]
    public void Without_a_drop_policy_Open_adds_nothing_and_removes_what_is_left_of_ours()
    {
        var accepting = Ruleset.Replace("\"name\": \"FORWARD\", \"handle\": 1, \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"",
                                        "\"name\": \"FORWARD\", \"handle\": 1, \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"accept\"");
        Assert.NotEqual(Ruleset, accepting);
        var runner = Iptables(Listing);
        Firewall(accepting, runner).Open(["md-a", "md-b"]);
        Assert.Equal(4, runner.Calls.Count); // the listing, then the three deletes
        Assert.Equal(3, runner.Lines.Count(l => l.Contains(" -D FORWARD ") && l.Contains("md-a")));
        Assert.DoesNotContain(runner.Lines, l => l.Contains(" -C ") || l.Contains(" -I "));
    }

    [Fact]
    public void Without_an_iptables_FORWARD_chain_nothing_runs()
    {
        var runner = Iptables(Listing);
        var fw = Firewall("""{"nftables": [{"metainfo": {"version": "1.0.6"}}]}""", runner);
        Assert.Empty(fw.Open(["md-a"]));
        Assert.Empty(fw.Close());
        Assert.Empty(fw.Inspect(["md-a"]));
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Close_deletes_exactly_our_tagged_rules()
    {
        var listing = Listing + "-A FORWARD -i md-z -j ACCEPT\n-A FORWARD -i md-z -m comment --comment other -j ACCEPT\n";
        var runner = Iptables(listing);
        Firewall(Ruleset, runner).Close();
        Assert.Equal(
        [
            "iptables -w 5 -S FORWARD",
            "iptables -w 5 -D FORWARD -i md-a -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -D FORWARD -o md-a -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT",
            "iptables -w 5 -D FORWARD -o md-a -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT",
        ], runner.Lines);
    }

    [Fact]
    public void Open_fails_with_advice_when_iptables_is_needed_but_missing()
    {
        var runner = new FakeProgramRunner((p, _) => throw new ProgramNotFoundException(p, new FileNotFoundException(p)));
        var e = Assert.Throws<EngineException>(() => Firewall(Ruleset, runner).Open(["md-a"]));
        Assert.Contains("policy DROP", e.Message);
        Assert.Contains("Install iptables", e.Message);
    }

    [Fact]
    public void A_failing_insert_is_an_engine_error_naming_the_bridge()
    {
        var runner = new FakeProgramRunner((_, args) => args[2] switch
        {
            "-S" => new ProgramResult(0, "-P FORWARD DROP\n", ""),
            "-C" => new ProgramResult(1, "", ""),
            _ => new ProgramResult(4, "", "iptables: Resource temporarily unavailable."),
        });
        var e = Assert.Throws<EngineException>(() => Firewall(Ruleset, runner).Open(["md-a"]));
        Assert.Contains("md-a", e.Message);
        Assert.Contains("Resource temporarily unavailable", e.Message);
    }

    [Fact]
    public void Inspect_reads_the_ruleset_and_the_iptables_listing()
    {
        var runner = Iptables(Listing);
        var blockers = Firewall(Ruleset, runner).Inspect(["md-a"]);
        Assert.Contains(blockers, b => b is { Chain: "FORWARD", What: "policy drop", Covered: true });
        Assert.Equal(["iptables -w 5 -S FORWARD"], runner.Lines);
    }

    [Fact]
    public void Bridge_names_are_validated_before_anything_runs()
    {
        var runner = Iptables(Listing);
        Assert.Throws<ArgumentException>(() => Firewall(Ruleset, runner).Open(["md-a", "bad name"]));
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void An_iptables_legacy_FORWARD_drop_policy_is_reported_from_its_save_listing()
    {
        const string save = """
            # Generated by iptables-save v1.8.9 on Thu Jan  1 00:00:00 2025
            *nat
            :PREROUTING ACCEPT [0:0]
            :FORWARD DROP [0:0]
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -i md-a -m comment --comment mydocker -j ACCEPT
            COMMIT
            """;
        var b = ForeignAnalysis.Legacy(save, ["md-a"]);
        Assert.NotNull(b);
        Assert.Equal(("iptables-legacy", "ip filter FORWARD", false), (b.Backend, b.Object, b.Covered));
        Assert.Contains("iptables-legacy -I FORWARD -o md-a -m conntrack --ctstate DNAT", b.Fix);
        Assert.Null(ForeignAnalysis.Legacy(save.Replace(":FORWARD DROP [0:0]\n:OUTPUT", ":FORWARD ACCEPT [0:0]\n:OUTPUT"), ["md-a"]));
    }
}
