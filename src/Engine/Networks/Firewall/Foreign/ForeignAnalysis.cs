namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>What iptables lists of FORWARD: our tagged rules and the number of rules (to line -S up with the JSON).</summary>
internal sealed record IptablesForward(IReadOnlyList<TaggedRule> Tagged, int RuleCount)
{
    public static IptablesForward Parse(string listing) => new(IptablesRules.ParseTagged(listing), IptablesRules.RuleCount(listing));

    public bool Complete(string bridge) => IptablesRules.All.All(k => Tagged.Any(t => t.Bridge == bridge && t.Kind == k));
}

/// <summary>
/// Finds foreign drops on our traffic in a parsed ruleset (pure: unit-tested on captured output).
/// <para>Why it matters: every base chain on a hook is traversed in priority order, and a drop in any of them is
/// final, whatever our table accepted (nftables wiki, "Netfilter hooks"; nft(8) "a drop verdict ... is immediate").
/// So a foreign forward chain with policy drop (Docker sets iptables' FORWARD policy to DROP) kills our egress and
/// our published ports, though our own table accepts them.</para>
/// <para>Best effort: a drop or reject rule counts when its interface matches do not exclude one of our bridges
/// as input or as output interface (see <see cref="Involvement"/>). Rules with other conditions (addresses, ports,
/// opaque iptables matches such as -m conntrack) are reported as not <see cref="ForeignBlocker.Certain"/>. <c>ct state invalid</c> drops are ignored: they never
/// hit a tracked flow. Chains reached through jump/goto are followed.</para>
/// </summary>
internal static class ForeignAnalysis
{
    private static readonly string[] Hooks = ["forward", "prerouting"];

    public static List<ForeignBlocker> Blockers(ForeignRuleset rs, IReadOnlyCollection<string> bridges, IptablesForward? iptables)
    {
        var result = new List<ForeignBlocker>();
        if (bridges.Count == 0) return result; // no bridge of ours: nothing of ours to block
        foreach (var chain in rs.Chains)
        {
            if (!chain.IsBase || chain.Family is not ("ip" or "inet") || !Hooks.Contains(chain.Hook)) continue;
            if (chain.Family == NftRuleset.Family && chain.Table == NftRuleset.Table) continue;
            bool iptablesForward = IsIptablesForward(chain);
            // Line up iptables' listing with the JSON only when both count the same rules (nft-native rules in the
            // table could make iptables-nft print something else).
            var positions = iptablesForward && iptables is not null && iptables.RuleCount == rs.RulesOf(chain.Family, chain.Table, chain.Name).Count
                ? iptables : null;

            if (chain.Policy == "drop")
            {
                bool covered = iptablesForward && iptables is not null && bridges.All(iptables.Complete);
                result.Add(new ForeignBlocker(chain.Family, chain.Table, chain.Name, chain.Hook!, chain.Priority, "policy drop",
                    covered, PolicyFix(chain, bridges, covered))
                { Bridges = [.. bridges] });
            }

            var visited = new HashSet<string>(StringComparer.Ordinal) { chain.Name };
            Walk(rs, chain, chain.Name, top: null, Path.Start, bridges, iptablesForward ? iptables : null, positions, visited, result);
        }
        return result;
    }

    /// <summary>The conditions a packet met to get here: the interface matches and whether anything else was
    /// required, collected from the jump/goto rules that led from the base chain to this chain.</summary>
    private sealed record Path(IReadOnlyList<InterfaceMatch> Input, IReadOnlyList<InterfaceMatch> Output, bool Other)
    {
        public static readonly Path Start = new([], [], false);

        public Path Then(ForeignRule r) => new([.. Input, .. r.Input], [.. Output, .. r.Output], Other || r.OtherConditions);
    }

    private static void Walk(ForeignRuleset rs, ForeignChain baseChain, string chainName, int? top, Path path, IReadOnlyCollection<string> bridges,
        IptablesForward? iptables, IptablesForward? positions, HashSet<string> visited, List<ForeignBlocker> result)
    {
        var rules = rs.RulesOf(baseChain.Family, baseChain.Table, chainName);
        for (int i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            int position = top ?? i;
            var here = path.Then(rule);
            if (rule.Verdict is RuleVerdict.Drop or RuleVerdict.Reject && !rule.CtInvalid)
            {
                var (affected, certain) = Involvement(here, bridges);
                if (affected.Count == 0) continue;
                bool covered = iptables is not null && affected.All(iptables.Complete)
                               && (positions is null || positions.Tagged.Where(t => affected.Contains(t.Bridge)).All(t => t.Position < position));
                result.Add(new ForeignBlocker(baseChain.Family, baseChain.Table, chainName, baseChain.Hook!, baseChain.Priority,
                    $"rule '{rule.Text}'", covered, RuleFix(baseChain, chainName, affected, covered))
                {
                    Via = chainName == baseChain.Name ? null : baseChain.Name,
                    Handle = rule.Handle,
                    Bridges = affected,
                    Certain = certain,
                });
            }
            else if (rule.Verdict is RuleVerdict.Jump or RuleVerdict.Goto && rule.Target is { } target && visited.Add(target))
            {
                Walk(rs, baseChain, target, position, here, bridges, iptables, positions, visited, result);
            }
        }
    }

    /// <summary>
    /// Which of our bridges a drop with these conditions hits. Our traffic crosses forward with one of our bridges as
    /// the input interface (egress, replies from published ports) or as the output interface (published ports,
    /// replies to egress); the other side is an uplink we do not know. A bridge is hit when the matches on its side let
    /// it pass. The hit is certain when nothing else conditions the drop and the other side has no positive match
    /// (only "!=" or nothing, so any uplink passes); <c>! -i docker0 -o docker0 -j DROP</c> hits our bridges only
    /// towards docker0, so it is reported as uncertain.
    /// </summary>
    private static (List<string> Affected, bool Certain) Involvement(Path p, IReadOnlyCollection<string> bridges)
    {
        bool inputOpen = !p.Input.Any(m => !m.Negated), outputOpen = !p.Output.Any(m => !m.Negated);
        var affected = new List<string>();
        bool certain = false;
        foreach (var b in bridges)
        {
            bool from = p.Input.All(m => m.Matches(b)), to = p.Output.All(m => m.Matches(b));
            if (!from && !to) continue;
            affected.Add(b);
            certain |= !p.Other && ((from && outputOpen) || (to && inputOpen));
        }
        return (affected, certain);
    }

    /// <summary>The chain iptables-nft (and Docker) use for forwarding: the only foreign chain we add rules to.</summary>
    public static bool IsIptablesForward(ForeignChain c) =>
        c is { Family: "ip", Table: "filter", Name: IptablesRules.Chain, Hook: "forward" };

    private static string PolicyFix(ForeignChain c, IReadOnlyCollection<string> bridges, bool covered)
    {
        if (covered)
            return "Nothing to do: the engine's accept rules for its bridges (tagged 'mydocker', see 'iptables -S FORWARD') come first in this chain.";
        if (IsIptablesForward(c))
            return "Run 'mydocker system reconcile': the engine inserts, at the top of iptables' FORWARD chain, accept rules for its bridges " +
                   $"tagged 'mydocker' (as Docker does for its own), e.g. 'iptables -I FORWARD -i {bridges.First()} -m comment --comment mydocker -j ACCEPT'. " +
                   "The policy and the other tool's rules stay as they are.";
        return NftFix(c, c.Name, bridges, "has policy drop");
    }

    private static string RuleFix(ForeignChain c, string chain, IReadOnlyList<string> bridges, bool covered)
    {
        if (covered)
            return "Nothing to do: the engine's accept rules for these bridges (tagged 'mydocker') come before this rule.";
        if (IsIptablesForward(c))
            return "Run 'mydocker system reconcile' if the FORWARD policy is DROP (the engine then puts its accept rules first); otherwise remove " +
                   $"this rule or insert 'iptables -I FORWARD -i BRIDGE -j ACCEPT' for {string.Join(", ", bridges)} before it in the tool that owns it.";
        return NftFix(c, chain, bridges, "drops their traffic");
    }

    private static string NftFix(ForeignChain c, string chain, IEnumerable<string> bridges, string what)
    {
        var b = bridges.First();
        return $"The chain {c.Family} {c.Table} {chain} belongs to another tool and {what}; the engine does not change other tools' nftables tables " +
               $"(they would undo it). Allow our bridges ({string.Join(", ", bridges)}) in that tool's configuration, e.g. " +
               $"'nft insert rule {c.Family} {c.Table} {chain} iifname \"{b}\" accept' and " +
               $"'nft insert rule {c.Family} {c.Table} {chain} oifname \"{b}\" ct state established,related accept' and " +
               $"'nft insert rule {c.Family} {c.Table} {chain} oifname \"{b}\" ct status dnat accept'.";
    }

    /// <summary>iptables-legacy's filter FORWARD (x_tables, outside nftables), from an iptables-legacy-save listing.</summary>
    public static ForeignBlocker? Legacy(string save, IReadOnlyCollection<string> bridges)
    {
        if (bridges.Count == 0) return null;
        var filter = Section(save, "filter");
        if (filter is null || IptablesRules.Policy(filter) != "DROP") return null;
        var tagged = IptablesForward.Parse(filter);
        bool covered = bridges.All(tagged.Complete);
        var b = bridges.First();
        string fix = covered
            ? "Nothing to do: accept rules for our bridges tagged 'mydocker' are in iptables-legacy's FORWARD chain."
            : "iptables-legacy (not nftables) has FORWARD policy DROP; the engine manages only iptables-nft. Add, for each bridge " +
              $"({string.Join(", ", bridges)}): 'iptables-legacy -I FORWARD -i {b} -m comment --comment mydocker -j ACCEPT', " +
              $"'iptables-legacy -I FORWARD -o {b} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment mydocker -j ACCEPT' and " +
              $"'iptables-legacy -I FORWARD -o {b} -m conntrack --ctstate DNAT -m comment --comment mydocker -j ACCEPT'.";
        return new ForeignBlocker("ip", "filter", IptablesRules.Chain, "forward", 0, "policy drop", covered, fix)
        {
            Backend = "iptables-legacy",
            Bridges = [.. bridges],
        };
    }

    /// <summary>The lines of one "*table" section of an iptables-save listing, up to its COMMIT.</summary>
    private static string? Section(string save, string table)
    {
        var lines = new List<string>();
        bool inside = false;
        foreach (var raw in save.Split('\n'))
        {
            var line = raw.Trim();
            if (line == "*" + table) { inside = true; continue; }
            if (inside && line == "COMMIT") return string.Join('\n', lines);
            if (inside) lines.Add(line);
        }
        return inside ? string.Join('\n', lines) : null;
    }
}
