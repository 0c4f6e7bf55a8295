namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>The three accept rules the engine keeps per bridge in iptables' FORWARD chain (Docker's own trio for its
/// bridges, see moby libnetwork/drivers/bridge setup_ip_tables_linux.go).</summary>
internal enum OurRule
{
    /// <summary><c>-i BR -j ACCEPT</c>: everything leaving a bridge (egress, and replies to published ports).</summary>
    FromBridge,
    /// <summary><c>-o BR -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT</c>: replies to the bridge's own connections.</summary>
    RepliesToBridge,
    /// <summary><c>-o BR -m conntrack --ctstate DNAT -j ACCEPT</c>: connections to published ports.</summary>
    PublishedToBridge,
}

/// <summary>One of our tagged rules as <c>iptables -S FORWARD</c> lists it; <paramref name="Position"/> counts the
/// chain's rules from 0 in evaluation order.</summary>
internal sealed record TaggedRule(int Position, OurRule Kind, string Bridge);

/// <summary>
/// The iptables calls (pure, unit-tested): the listing's arguments, and iptables-restore's arguments and input. Every
/// rule carries <c>-m comment --comment mydocker</c>, which is how we recognise ours and the only thing we ever delete.
/// <c>-w 5</c>: wait up to 5 s for the xtables lock instead of failing when another tool (Docker, firewalld) is changing
/// rules at the same moment (iptables(8), iptables-restore(8)).
/// </summary>
internal static class IptablesRules
{
    public const string Tag = "mydocker", Chain = "FORWARD";
    public static readonly OurRule[] All = [OurRule.FromBridge, OurRule.RepliesToBridge, OurRule.PublishedToBridge];

    private static readonly string[] Wait = ["-w", "5"];
    private static readonly string[] Tagged = ["-m", "comment", "--comment", Tag, "-j", "ACCEPT"];

    /// <summary>The rule itself, as iptables -S prints it after "-A FORWARD" (the option order is kept as given).</summary>
    public static string[] Spec(OurRule kind, string bridge) => kind switch
    {
        OurRule.FromBridge => ["-i", bridge, .. Tagged],
        OurRule.RepliesToBridge => ["-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", .. Tagged],
        OurRule.PublishedToBridge => ["-o", bridge, "-m", "conntrack", "--ctstate", "DNAT", .. Tagged],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string[] List() => [.. Wait, "-S", Chain];

    /// <summary>iptables-restore's arguments: wait for the xtables lock, and change only what the input names (--noflush:
    /// without it the whole filter table, the other tool's rules included, would be replaced).</summary>
    public static string[] RestoreArguments() => [.. Wait, "--noflush"];

    /// <summary>
    /// iptables-restore's input: one transaction that deletes <paramref name="remove"/> (by specification) and inserts
    /// <paramref name="add"/> at the top of FORWARD, each bridge's three in Docker's order (from, replies, published).
    /// The text is made only of our fixed tokens and bridge names checked by <see cref="FirewallNames.Bridge"/> (letters,
    /// digits, '_', '.', '-'), so nothing in it can be read as another token, a quote or a second command.
    /// </summary>
    public static string Restore(IEnumerable<(OurRule Kind, string Bridge)> add, IEnumerable<(OurRule Kind, string Bridge)> remove)
    {
        var b = new System.Text.StringBuilder("*filter\n");
        foreach (var (kind, bridge) in remove)
            b.Append("-D ").Append(Chain).Append(' ').AppendJoin(' ', Spec(kind, FirewallNames.Bridge(bridge))).Append('\n');
        // Inserted at position 1 in reverse, so the chain reads in the order given.
        foreach (var (kind, bridge) in add.Reverse())
            b.Append("-I ").Append(Chain).Append(" 1 ").AppendJoin(' ', Spec(kind, FirewallNames.Bridge(bridge))).Append('\n');
        return b.Append("COMMIT\n").ToString();
    }

    /// <summary>Our tagged rules in an <c>iptables -S FORWARD</c> listing. A line counts as ours only when it is
    /// exactly one of our three rules for a valid bridge name; anything else (also a line someone else tagged
    /// "mydocker" by hand) is left alone.</summary>
    public static List<TaggedRule> ParseTagged(string listing)
    {
        var found = new List<TaggedRule>();
        int position = 0;
        foreach (var raw in listing.Split('\n'))
        {
            var tokens = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 2 || tokens[0] != "-A" || tokens[1] != Chain) continue;
            if (tokens.Length >= 4 && IsValidBridge(tokens[3]))
            {
                var rest = tokens[2..];
                foreach (var kind in All)
                    if (rest.SequenceEqual(Spec(kind, tokens[3])))
                        found.Add(new TaggedRule(position, kind, tokens[3]));
            }
            position++;
        }
        return found;
    }

    /// <summary>How many rules the listing's chain has (its "-A FORWARD" lines).</summary>
    public static int RuleCount(string listing) =>
        listing.Split('\n').Count(l => l.TrimStart().StartsWith("-A " + Chain + " ", StringComparison.Ordinal));

    /// <summary>The policy in an iptables -S / iptables-save listing ("-P FORWARD DROP" or ":FORWARD DROP [0:0]").</summary>
    public static string? Policy(string listing)
    {
        foreach (var raw in listing.Split('\n'))
        {
            var t = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length >= 3 && t[0] == "-P" && t[1] == Chain) return t[2];
            if (t.Length >= 2 && t[0] == ":" + Chain) return t[1];
        }
        return null;
    }

    private static bool IsValidBridge(string name)
    {
        try { FirewallNames.Bridge(name); return true; }
        catch (ArgumentException) { return false; }
    }
}
