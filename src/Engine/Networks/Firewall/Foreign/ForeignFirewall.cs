using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>
/// Keeps engine traffic flowing when another tool's firewall drops forwarded traffic, and names what blocks it.
/// <para>Why: our table's accept does not override a drop in another table's base chain on the same hook (nftables
/// wiki, "Netfilter hooks"), and Docker sets iptables' FORWARD policy to DROP (table ip filter with iptables-nft).
/// Docker itself lets its bridges through with three accept rules per bridge at the top of FORWARD; <see cref="Open"/>
/// keeps the same three rules for our bridges there, tagged <c>-m comment --comment mydocker</c>. Our own table still
/// enforces isolation (its drops are final too), so these accepts only let through what our table allows.</para>
/// <para>The rules are written with the <c>iptables</c> program (iptables-nft), never as nft-native rules: the ip filter
/// table belongs to iptables-nft, which cannot parse native rules in it ("table is incompatible"), and Docker, which
/// reads the table through iptables, would then fail.</para>
/// <para>Only rules tagged by us are ever deleted; the other tool's policy and rules are never touched.</para>
/// <para>Thread-safe: one lock serialises the read-check-write sequences of this instance.</para>
/// </summary>
/// <param name="generation">Reads the nftables ruleset generation (NftGeneration), so <see cref="OpenIfChanged"/> can skip
/// a check when no transaction happened since the last one found nothing to do; null: it always checks.</param>
/// <param name="legacyTableNames">Where the x_tables module lists the legacy tables of the caller's namespace
/// (<c>/proc/net/ip_tables_names</c>; absent while the module is not loaded). iptables-legacy-save runs only when it
/// names "filter".</param>
public sealed class ForeignFirewall(
    INftExecutor nft, IProgramRunner runner, ILogger<ForeignFirewall>? logger = null, Func<uint?>? generation = null,
    string legacyTableNames = ForeignFirewall.LegacyTableNames)
{
    public const string Iptables = "iptables", IptablesLegacySave = "iptables-legacy-save";
    public const string LegacyTableNames = "/proc/net/ip_tables_names";

    private readonly Lock _gate = new();
    private readonly ILogger _log = (ILogger?)logger ?? NullLogger.Instance;
    /// <summary>The generation and bridges of the last <see cref="OpenIfChanged"/> that changed nothing.</summary>
    private (uint Generation, HashSet<string> Bridges)? _settled;

    /// <summary>Every foreign drop that hits, or may hit, traffic of <paramref name="ourBridges"/>: base chains hooked at
    /// forward with policy drop, and drop/reject rules in foreign forward/prerouting chains (ip and inet families),
    /// plus iptables-legacy's FORWARD policy when legacy tables exist. Empty when <paramref name="ourBridges"/> is.</summary>
    public IReadOnlyList<ForeignBlocker> Inspect(IReadOnlyCollection<string> ourBridges)
    {
        var bridges = Checked(ourBridges);
        lock (_gate)
        {
            var rs = Read("list ruleset");
            IptablesForward? forward = null;
            if (rs.Chains.Any(ForeignAnalysis.IsIptablesForward))
            {
                try { forward = ListForward(); }
                catch (Exception e) when (e is ProgramNotFoundException or EngineException)
                {
                    _log.LogWarning("Cannot list iptables' FORWARD chain ({Error}); reporting without our accept rules", e.Message);
                }
            }
            var result = ForeignAnalysis.Blockers(rs, bridges, forward);
            if (ReadLegacy() is { } save && ForeignAnalysis.Legacy(save, bridges) is { } legacy) result.Add(legacy);
            return result;
        }
    }

    /// <summary>
    /// When iptables' FORWARD chain (ip filter, hook forward) has policy drop: makes sure it holds our three tagged
    /// accept rules for each of <paramref name="ourBridges"/> (checked with <c>iptables -C</c>, inserted at the top when
    /// missing), and deletes tagged rules of bridges that are no longer ours. When there is no such drop policy, only
    /// deletes tagged rules left over. Returns what changed, in plain words (empty when nothing did).
    /// Throws <see cref="EngineException"/> when iptables fails or is missing while needed.
    /// </summary>
    public IReadOnlyList<string> Open(IReadOnlyCollection<string> ourBridges)
    {
        var bridges = Checked(ourBridges);
        lock (_gate)
        {
            // The chains alone: the whole ruleset would carry every element of our port maps (a JSON listing takes ~140 ms at 10,000 ports: bench/nft-map-scale.sh).
            var chain = Read("list chains").Chains.FirstOrDefault(ForeignAnalysis.IsIptablesForward);
            // No ip filter FORWARD chain: nothing drops there, and none of our rules can exist there.
            if (chain is null) return [];
            bool needed = chain.Policy == "drop" && bridges.Count > 0;
            IptablesForward listed;
            try { listed = ListForward(); }
            catch (Exception e) when (!needed && e is ProgramNotFoundException or EngineException)
            {
                // Nothing to add; leftovers of ours (if any) wait for a listing that works.
                _log.LogDebug("Cannot list iptables' FORWARD chain ({Error}); no drop policy there, so nothing to do", e.Message);
                return [];
            }
            catch (ProgramNotFoundException e)
            {
                throw new EngineException(ErrorKind.Internal,
                    $"iptables' FORWARD chain (nftables table ip filter) has policy DROP, which drops the traffic of networks {string.Join(", ", bridges)}, " +
                    "and the 'iptables' program needed to add accept rules for them is not installed. Install iptables (the nftables variant), " +
                    "then run 'mydocker system reconcile'.", e);
            }

            var changes = new List<string>();
            if (needed)
            {
                foreach (var bridge in bridges)
                {
                    // Inserted at position 1 in reverse, so the chain reads in Docker's order: from, replies, published.
                    foreach (var kind in IptablesRules.All.Reverse())
                    {
                        if (Exists(kind, bridge)) continue;
                        RunIptables(IptablesRules.Insert(kind, bridge), $"inserting an accept rule for bridge {bridge} into iptables' FORWARD chain");
                        changes.Add($"iptables FORWARD accept rule ({Describe(kind)}) for bridge {bridge}");
                    }
                }
            }
            foreach (var stale in listed.Tagged.Where(t => !needed || !bridges.Contains(t.Bridge)))
            {
                RunIptables(IptablesRules.Delete(stale.Kind, stale.Bridge), $"deleting the engine's accept rule for bridge {stale.Bridge} from iptables' FORWARD chain");
                changes.Add($"iptables FORWARD accept rule ({Describe(stale.Kind)}) for bridge {stale.Bridge}, no longer needed");
            }
            foreach (var c in changes) _log.LogInformation("Foreign firewall: {Change}", c);
            return changes;
        }
    }

    /// <summary>Deletes every rule of ours (tagged "mydocker") from iptables' FORWARD chain: the engine has no networks
    /// left. Nothing else is touched. Returns what was deleted.</summary>
    public IReadOnlyList<string> Close() => Open([]);

    /// <summary><see cref="Open"/> for a periodic check: skipped while the ruleset generation and the bridges are those of
    /// the last check that changed nothing (Open may run iptables, a process). Our own changes move the generation, so
    /// the check after a change runs once more and then settles.</summary>
    public IReadOnlyList<string> OpenIfChanged(IReadOnlyCollection<string> ourBridges)
    {
        uint? now = generation?.Invoke();
        lock (_gate)
        {
            if (now is { } g && _settled is { } s && s.Generation == g && s.Bridges.SetEquals(ourBridges)) return [];
            var changes = Open(ourBridges);
            _settled = now is { } settled && changes.Count == 0 ? (settled, ourBridges.ToHashSet(StringComparer.Ordinal)) : null;
            return changes;
        }
    }

    private ForeignRuleset Read(string command)
    {
        try
        {
            return ForeignRuleset.Parse(nft.Run(command, json: true));
        }
        catch (NftException e)
        {
            throw new EngineException(ErrorKind.Internal,
                $"Listing the nftables ruleset failed: {e.Message}. Check that the nf_tables kernel module is available.", e);
        }
    }

    private IptablesForward ListForward()
    {
        var r = runner.Run(Iptables, IptablesRules.List());
        if (r.ExitCode != 0)
            throw new EngineException(ErrorKind.Internal,
                $"'iptables -S FORWARD' failed (exit {r.ExitCode}): {r.Stderr.Trim()}. If it says the table is incompatible, the ip filter table " +
                "holds nft-native rules that iptables cannot read; move them to a table of their own.");
        return IptablesForward.Parse(r.Stdout);
    }

    private bool Exists(OurRule kind, string bridge)
    {
        var r = runner.Run(Iptables, IptablesRules.Check(kind, bridge));
        return r.ExitCode switch
        {
            0 => true,
            1 => false, // "Bad rule (does a matching rule exist in that chain?)"
            _ => throw new EngineException(ErrorKind.Internal,
                $"Checking the accept rule for bridge {bridge} in iptables' FORWARD chain failed (exit {r.ExitCode}): {r.Stderr.Trim()}"),
        };
    }

    private void RunIptables(string[] args, string what)
    {
        var r = runner.Run(Iptables, args);
        if (r.ExitCode != 0)
            throw new EngineException(ErrorKind.Internal,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} failed (exit {r.ExitCode}): {r.Stderr.Trim()}. Run 'mydocker system reconcile' to try again.");
    }

    /// <summary>iptables-legacy-save without -t dumps only the tables that exist (it reads ip_tables_names), so it
    /// neither loads a module nor creates a table.</summary>
    private string? ReadLegacy()
    {
        try
        {
            if (!File.Exists(legacyTableNames) || !File.ReadAllLines(legacyTableNames).Contains("filter")) return null;
            var r = runner.Run(IptablesLegacySave, []);
            return r.ExitCode == 0 ? r.Stdout : null;
        }
        catch (Exception e) when (e is ProgramNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Describe(OurRule kind) => kind switch
    {
        OurRule.FromBridge => "traffic from the bridge",
        OurRule.RepliesToBridge => "replies to the bridge",
        _ => "published ports into the bridge",
    };

    private static List<string> Checked(IReadOnlyCollection<string> bridges)
    {
        ArgumentNullException.ThrowIfNull(bridges);
        return bridges.Select(FirewallNames.Bridge).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
