using System.Runtime.CompilerServices;
using MyDocker.Engine;
using MyDocker.Engine.Kernel.Nftables;
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
    public void Iptables_calls_are_dockers_rules_tagged_in_one_restore_that_waits_for_the_lock_and_flushes_nothing()
    {
        Assert.Equal(["-w", "5", "-S", "FORWARD"], IptablesRules.List());
        Assert.Equal(["-w", "5", "--noflush"], IptablesRules.RestoreArguments());
        Assert.Equal(
            "*filter\n" +
            "-D FORWARD -o br9 -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT\n" +
            "-I FORWARD 1 -o br0 -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT\n" +
            "-I FORWARD 1 -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT\n" +
            "-I FORWARD 1 -i br0 -m comment --comment mydocker -j ACCEPT\n" +
            "COMMIT\n",
            IptablesRules.Restore(IptablesRules.All.Select(k => (k, "br0")), [(OurRule.PublishedToBridge, "br9")]));
        Assert.Throws<ArgumentException>(() => IptablesRules.Restore([(OurRule.FromBridge, "br0\n-F")], []));
    }

    // ---- ForeignFirewall over fakes ----

    private const string Restore = "iptables-restore -w 5 --noflush";
    private const string List = "iptables -w 5 -S FORWARD";

    private static string Rule(string op, OurRule kind, string bridge) =>
        $"{op} FORWARD {(op == "-I" ? "1 " : "")}{string.Join(' ', IptablesRules.Spec(kind, bridge))}";

    private static FakeProgramRunner Iptables(string listing, int restoreExit = 0) =>
        new((program, args) => program switch
        {
            "iptables" when args[2] == "-S" => new ProgramResult(0, listing, ""),
            "iptables-restore" => new ProgramResult(restoreExit, "", restoreExit == 0 ? "" : "iptables-restore: line 2 failed"),
            _ => throw new InvalidOperationException($"unexpected {program} {string.Join(' ', args)}"),
        });

    /// <summary>The chain's policy as the kernel would answer (null: no ip filter FORWARD chain); the ruleset capture
    /// answers Inspect.</summary>
    private static ForeignFirewall Firewall(string ruleset, FakeProgramRunner runner, Func<string?>? policy = null, NftCommits? commits = null) =>
        new(new FakeNftExecutor().On("list ruleset", ruleset), runner,
            () => (policy ?? (() => "drop"))() is { } p ? new NftChainInfo("forward", p) : null,
            commits: commits, legacyTableNames: "/nonexistent/ip_tables_names") { DeleteInBackground = false };

    [Fact]
    public void OpenIfChanged_checks_again_only_when_the_generation_or_the_bridges_moved()
    {
        uint generation = 5;
        var runner = Iptables(Listing);   // every rule of md-a is there: nothing to change
        var fw = Firewall(Ruleset, runner, commits: new NftCommits(() => generation));
        int Listings() => runner.Lines.Count(l => l == List);

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
    public void Open_lists_once_and_inserts_every_missing_rule_at_the_top_in_one_restore_keeping_existing_ones()
    {
        var runner = Iptables(Listing);   // md-a has its three
        var changes = Firewall(Ruleset, runner).Open(["md-b", "md-a"]);

        Assert.Equal([List, Restore], runner.Lines);
        Assert.Equal(
            "*filter\n" + string.Concat(IptablesRules.All.Reverse().Select(k => Rule("-I", k, "md-b") + "\n")) + "COMMIT\n",
            Assert.Single(runner.Inputs));
        Assert.Equal(3, changes.Count);
        // Argument lists, never one string: a bridge name is one argument.
        Assert.All(runner.Calls, c => Assert.DoesNotContain(c.Args, a => a.Contains(' ')));
    }

    [Fact]
    public void Open_deletes_tagged_rules_of_bridges_that_are_no_longer_ours_and_second_copies_of_live_ones()
    {
        var listing = Listing + $"-A FORWARD {string.Join(' ', IptablesRules.Spec(OurRule.FromBridge, "md-b"))}\n"
                              + $"-A FORWARD {string.Join(' ', IptablesRules.Spec(OurRule.FromBridge, "md-b"))}\n";
        var runner = Iptables(listing);
        Firewall(Ruleset, runner).Open(["md-b"]);
        var input = Assert.Single(runner.Inputs).Split('\n');
        Assert.Equal(
        [
            Rule("-D", OurRule.FromBridge, "md-a"), Rule("-D", OurRule.RepliesToBridge, "md-a"), Rule("-D", OurRule.PublishedToBridge, "md-a"),
            Rule("-D", OurRule.FromBridge, "md-b"),
        ], input.Where(l => l.StartsWith("-D", StringComparison.Ordinal)));
        Assert.Equal(
            [Rule("-I", OurRule.PublishedToBridge, "md-b"), Rule("-I", OurRule.RepliesToBridge, "md-b")],
            input.Where(l => l.StartsWith("-I", StringComparison.Ordinal)));
    }

    [Fact]
    public void Without_a_drop_policy_Open_adds_nothing_and_removes_what_is_left_of_ours()
    {
        var runner = Iptables(Listing);
        Firewall(Ruleset, runner, policy: () => "accept").Open(["md-a", "md-b"]);
        Assert.Equal([List, Restore], runner.Lines);
        var input = Assert.Single(runner.Inputs);
        Assert.Equal(3, input.Split('\n').Count(l => l.StartsWith("-D FORWARD ", StringComparison.Ordinal) && l.Contains("md-a")));
        Assert.DoesNotContain("-I ", input);
    }

    [Fact]
    public void Without_an_iptables_FORWARD_chain_nothing_runs()
    {
        var runner = Iptables(Listing);
        var fw = Firewall("""{"nftables": [{"metainfo": {"version": "1.0.6"}}]}""", runner, policy: () => null);
        Assert.Empty(fw.Open(["md-a"]));
        Assert.Empty(fw.Close());
        Assert.Empty(fw.OpenBridge("md-a"));
        fw.CloseBridge("md-a");
        fw.DeleteClosed();
        Assert.Empty(fw.Inspect(["md-a"]));
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public void Close_deletes_exactly_our_tagged_rules()
    {
        var listing = Listing + "-A FORWARD -i md-z -j ACCEPT\n-A FORWARD -i md-z -m comment --comment other -j ACCEPT\n";
        var runner = Iptables(listing);
        Firewall(Ruleset, runner).Close();
        Assert.Equal([List, Restore], runner.Lines);
        Assert.Equal(
            "*filter\n" + string.Concat(IptablesRules.All.Select(k => Rule("-D", k, "md-a") + "\n")) + "COMMIT\n",
            Assert.Single(runner.Inputs));
    }

    [Fact]
    public void OpenBridge_inserts_that_bridges_rules_only_under_a_drop_policy_without_listing_the_chain()
    {
        string policy = "drop";
        var runner = Iptables(Listing);
        var fw = Firewall(Ruleset, runner, policy: () => policy);

        Assert.Equal(3, fw.OpenBridge("md-c").Count);
        Assert.Equal([Restore], runner.Lines);   // no -S: its cost grows with every network's three rules
        Assert.Equal(
            "*filter\n" + string.Concat(IptablesRules.All.Reverse().Select(k => Rule("-I", k, "md-c") + "\n")) + "COMMIT\n",
            Assert.Single(runner.Inputs));
        Assert.Empty(fw.OpenBridge("md-c"));     // known to be there: nothing runs
        policy = "accept";
        Assert.Empty(fw.OpenBridge("md-d"));     // nothing drops: nothing needed
        Assert.Single(runner.Calls);
    }

    [Fact]
    public void CloseBridge_queues_the_rules_it_put_there_and_deletes_them_together_without_listing_the_chain()
    {
        var runner = Iptables(Listing);
        var fw = Firewall(Ruleset, runner);
        fw.CloseBridge("md-c");                  // never opened by us: nothing to delete
        fw.DeleteClosed();
        Assert.Empty(runner.Calls);

        fw.OpenBridge("md-c");
        fw.OpenBridge("md-d");
        fw.CloseBridge("md-c");
        fw.CloseBridge("md-d");
        Assert.Equal(2, runner.Calls.Count);     // queued: rm does not wait for iptables
        fw.DeleteClosed();
        Assert.Equal([Restore, Restore, Restore], runner.Lines);
        Assert.Equal(
            "*filter\n" + string.Concat(new[] { "md-c", "md-d" }.SelectMany(b => IptablesRules.All.Select(k => Rule("-D", k, b) + "\n"))) + "COMMIT\n",
            runner.Inputs[^1]);
        fw.DeleteClosed();
        Assert.Equal(3, runner.Calls.Count);
    }

    [Fact]
    public void A_bridge_opened_again_before_its_rules_are_deleted_keeps_one_copy()
    {
        var runner = Iptables(Listing);
        var fw = Firewall(Ruleset, runner);
        fw.OpenBridge("md-c");
        fw.CloseBridge("md-c");
        fw.OpenBridge("md-c");                   // a new network with the same bridge name: its own three rules
        fw.DeleteClosed();                       // the old three go: one copy of each stays
        Assert.Equal([Restore, Restore, Restore], runner.Lines);
        Assert.DoesNotContain("-I", runner.Inputs[2]);
        Assert.Empty(fw.OpenBridge("md-c"));     // still known to be there
    }

    [Fact]
    public void Deleting_lists_the_chain_when_a_rule_was_deleted_by_hand_and_deletes_the_others()
    {
        string gone = $"-A FORWARD {string.Join(' ', IptablesRules.Spec(OurRule.FromBridge, "md-a"))}\n";
        var runner = new FakeProgramRunner((program, _, input) => program switch
        {
            "iptables" => new ProgramResult(0, Listing.Replace(gone, ""), ""),
            // One transaction: deleting a rule that is not there fails the whole input.
            _ when input!.Contains(Rule("-D", OurRule.FromBridge, "md-a")) => new ProgramResult(1, "", "iptables-restore: line 2 failed"),
            _ => new ProgramResult(0, "", ""),
        });
        var fw = Firewall(Ruleset, runner);
        fw.Open(["md-a"]);                       // md-a known from the listing (its missing rule put back)
        fw.CloseBridge("md-a");
        fw.DeleteClosed();
        Assert.Equal([List, Restore, Restore, List, Restore], runner.Lines);
        Assert.Equal(
            "*filter\n" + Rule("-D", OurRule.RepliesToBridge, "md-a") + "\n" + Rule("-D", OurRule.PublishedToBridge, "md-a") + "\nCOMMIT\n",
            runner.Inputs[^1]);
    }

    [Fact]
    public void A_full_Open_takes_over_queued_deletions_and_does_not_count_them_as_repairs()
    {
        var runner = Iptables(Listing);          // md-a's three rules are there
        var fw = Firewall(Ruleset, runner);
        fw.Open(["md-a"]);
        fw.CloseBridge("md-a");
        Assert.Empty(fw.Open([]));               // deletes them, as due, not as a repair
        Assert.Contains(Rule("-D", OurRule.FromBridge, "md-a"), runner.Inputs[^1]);
        int calls = runner.Calls.Count;
        fw.DeleteClosed();
        Assert.Equal(calls, runner.Calls.Count);
    }

    [Fact]
    public void Open_fails_with_advice_when_iptables_is_needed_but_missing()
    {
        var runner = new FakeProgramRunner((p, _) => throw new ProgramNotFoundException(p, new FileNotFoundException(p)));
        var e = Assert.Throws<EngineException>(() => Firewall(Ruleset, runner).Open(["md-a"]));
        Assert.Contains("policy DROP", e.Message);
        Assert.Contains("Install iptables", e.Message);
        e = Assert.Throws<EngineException>(() => Firewall(Ruleset, runner).OpenBridge("md-a"));
        Assert.Contains("Install iptables", e.Message);
    }

    [Fact]
    public void A_failing_insert_is_an_engine_error_naming_the_bridge()
    {
        var runner = Iptables("-P FORWARD DROP\n", restoreExit: 4);
        var e = Assert.Throws<EngineException>(() => Firewall(Ruleset, runner).Open(["md-a"]));
        Assert.Contains("md-a", e.Message);
        Assert.Contains("line 2 failed", e.Message);
    }

    [Fact]
    public void Inspect_reads_the_ruleset_and_the_iptables_listing()
    {
        var runner = Iptables(Listing);
        var blockers = Firewall(Ruleset, runner).Inspect(["md-a"]);
        Assert.Contains(blockers, b => b is { Chain: "FORWARD", What: "policy drop", Covered: true });
        Assert.Equal([List], runner.Lines);
    }

    [Fact]
    public void Bridge_names_are_validated_before_anything_runs()
    {
        var runner = Iptables(Listing);
        Assert.Throws<ArgumentException>(() => Firewall(Ruleset, runner).Open(["md-a", "bad name"]));
        Assert.Throws<ArgumentException>(() => Firewall(Ruleset, runner).OpenBridge("bad name"));
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
