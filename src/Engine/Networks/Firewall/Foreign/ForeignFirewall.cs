using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>
/// Keeps engine traffic flowing when another tool's firewall drops forwarded traffic, and names what blocks it.
/// <para>Why: our table's accept does not override a drop in another table's base chain on the same hook (nftables
/// wiki, "Netfilter hooks"), and Docker sets iptables' FORWARD policy to DROP (table ip filter with iptables-nft).
/// Docker itself lets its bridges through with three accept rules per bridge at the top of FORWARD; <see cref="Open(IReadOnlyCollection{string})"/>
/// keeps the same three rules for our bridges there, tagged <c>-m comment --comment mydocker</c>. Our own table still
/// enforces isolation (its drops are final too), so these accepts only let through what our table allows.</para>
/// <para>The rules are written with iptables-restore (iptables-nft), never as nft-native rules: the ip filter table
/// belongs to iptables-nft, which cannot parse native rules in it ("table is incompatible"), and Docker, which reads the
/// table through iptables, would then fail. One iptables-restore run is one nftables transaction, whatever the number of
/// rules: all of them or none.</para>
/// <para>Cost: a network's create and rm touch only its own bridge's rules, decided from what the engine knows
/// (<c>_opened</c>: the last listing plus its own changes since) and from the chain's policy, read with one netlink
/// question; they never list the chain, whose listing grows with the number of networks (iptables -S FORWARD: ~100 ms at
/// 3,000 rules). Only <see cref="Open(IReadOnlyCollection{string})"/> lists it: at start-up, on demand, and when the
/// firewall watch sees another process change the ip filter table.</para>
/// <para>Only rules tagged by us are ever deleted; the other tool's policy and rules are never touched.</para>
/// <para>Thread-safe: one lock serialises the read-check-write sequences of this instance.</para>
/// </summary>
/// <param name="forwardChain">Reads iptables' FORWARD chain (table ip filter) from the kernel: null when it does not
/// exist (see <see cref="ForwardChainOf"/>).</param>
/// <param name="commits">Reads the ruleset generation, so <see cref="OpenIfChanged"/> can skip a check when no transaction
/// happened since the last one found nothing to do; null: OpenIfChanged always checks. (The iptables runs are known for
/// the engine's own through <paramref name="runner"/>, a <see cref="ProcessRunner"/> that reports them to NftCommits.)</param>
/// <param name="legacyTableNames">Where the x_tables module lists the legacy tables of the caller's namespace
/// (<c>/proc/net/ip_tables_names</c>; absent while the module is not loaded). iptables-legacy-save runs only when it
/// names "filter".</param>
public sealed partial class ForeignFirewall(
    INftExecutor nft, IProgramRunner runner, Func<NftChainInfo?> forwardChain, ILogger<ForeignFirewall>? logger = null,
    NftCommits? commits = null, string legacyTableNames = ForeignFirewall.LegacyTableNames) : IAsyncDisposable
{
    public const string Iptables = "iptables", IptablesRestore = "iptables-restore", IptablesLegacySave = "iptables-legacy-save";
    public const string LegacyTableNames = "/proc/net/ip_tables_names";

    private readonly Lock _gate = new();
    private readonly ILogger _log = (ILogger?)logger ?? NullLogger.Instance;
    /// <summary>The generation and bridges of the last <see cref="OpenIfChanged"/> that changed nothing.</summary>
    private (uint Generation, HashSet<string> Bridges)? _settled;
    /// <summary>Bridges whose three rules are in FORWARD as far as the engine knows: the last listing plus its own changes
    /// since. Someone else's change to the chain makes the firewall watch list it again (<see cref="Open(Func{IReadOnlyCollection{string}})"/>).</summary>
    private readonly HashSet<string> _opened = new(StringComparer.Ordinal);
    /// <summary>Held while iptables runs outside <c>_gate</c> (the background deletion), so a full Open never lists the
    /// chain in the middle of it.</summary>
    private readonly SemaphoreSlim _applying = new(1, 1);
    /// <summary>iptables' FORWARD chain of the namespace <paramref name="netlink"/> was opened in, asked by name.</summary>
    public static Func<NftChainInfo?> ForwardChainOf(NftNetlink netlink) =>
        () => netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", IptablesRules.Chain);

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
    /// accept rules for each of <paramref name="ourBridges"/> (missing ones inserted at the top), and deletes tagged rules
    /// of bridges that are no longer ours, and duplicates. When there is no such drop policy, only deletes tagged rules
    /// left over. Lists the chain once and changes it in one iptables-restore run. Returns what changed, in plain words
    /// (empty when nothing did). Throws <see cref="EngineException"/> when iptables fails or is missing while needed.
    /// </summary>
    public IReadOnlyList<string> Open(IReadOnlyCollection<string> ourBridges) => Open(() => ourBridges);

    /// <summary><see cref="Open(IReadOnlyCollection{string})"/> with the bridges read under this instance's lock, so that a
    /// network created or removed meanwhile is seen either entirely before or entirely after (the firewall watch).</summary>
    internal IReadOnlyList<string> Open(Func<IReadOnlyCollection<string>> ourBridges)
    {
        lock (_gate)
        {
            var bridges = Checked(ourBridges());
            var chain = Chain();
            // No ip filter FORWARD chain: nothing drops there, and none of our rules can exist there.
            if (chain is null)
            {
                _opened.Clear();
                _closing.Clear();
                return [];
            }
            bool needed = chain.Policy == "drop" && bridges.Count > 0;
            _applying.Wait();
            try { return OpenLocked(bridges, needed); }
            finally { _applying.Release(); }
        }
    }

    /// <summary>Caller holds <c>_gate</c> and <c>_applying</c>.</summary>
    private IReadOnlyList<string> OpenLocked(List<string> bridges, bool needed)
    {
        IptablesForward listed;
        try { listed = ListForward(); }
        catch (Exception e) when (!needed && e is ProgramNotFoundException or EngineException)
        {
            // Nothing to add; leftovers of ours (if any) wait for a listing that works.
            _log.LogDebug("Cannot list iptables' FORWARD chain ({Error}); no drop policy there, so nothing to do", e.Message);
            return [];
        }
        catch (ProgramNotFoundException e) { throw Missing(bridges, e); }

        var live = needed ? bridges.ToHashSet(StringComparer.Ordinal) : [];
        var present = listed.Tagged.Select(t => (t.Kind, t.Bridge)).ToHashSet();
        var add = live.Order(StringComparer.Ordinal)
            .SelectMany(b => IptablesRules.All.Where(k => !present.Contains((k, b))).Select(k => (k, b)))
            .ToList();
        // Every tagged rule of a bridge that is not live, and the second and later copies of a live one.
        var remove = listed.Tagged.Where(t => !live.Contains(t.Bridge))
            .Concat(listed.Tagged.Where(t => live.Contains(t.Bridge)).GroupBy(t => (t.Kind, t.Bridge)).SelectMany(g => g.Skip(1)))
            .Select(t => (t.Kind, t.Bridge)).ToList();
        Change(add, remove, bridges);
        _opened.Clear();
        _opened.UnionWith(live);
        // What was queued for deletion is done now (or no longer wanted: a live bridge keeps exactly one copy); it was
        // due, so it is logged but not returned as a repair.
        Report(remove.Where(r => _closing.ContainsKey(r.Bridge)).ToList(), added: false);
        var repaired = remove.Where(r => !_closing.ContainsKey(r.Bridge)).ToList();
        _closing.Clear();
        return [.. Report(add, added: true), .. Report(repaired, added: false)];
    }

    /// <summary>Deletes every rule of ours (tagged "mydocker") from iptables' FORWARD chain: the engine has no networks
    /// left. Nothing else is touched. Returns what was deleted.</summary>
    public IReadOnlyList<string> Close() => Open([]);

    /// <summary>
    /// A new network's bridge: when iptables' FORWARD chain has policy drop and the engine does not know the bridge's
    /// rules to be there, inserts its three accept rules at the top (one iptables-restore run; no listing). Returns what
    /// changed. Throws <see cref="EngineException"/> when iptables fails or is missing while needed.
    /// </summary>
    public IReadOnlyList<string> OpenBridge(string bridge)
    {
        string b = FirewallNames.Bridge(bridge);
        lock (_gate)
        {
            var chain = Chain();
            if (chain is null)
            {
                _opened.Clear();
                _closing.Clear();
                return [];
            }
            if (chain.Policy != "drop" || _opened.Contains(b)) return [];
            var add = IptablesRules.All.Select(k => (k, b)).ToList();
            Change(add, [], [b]);
            _opened.Add(b);
            return Report(add, added: true);
        }
    }

    /// <summary><see cref="Open(IReadOnlyCollection{string})"/> for a periodic check: skipped while the ruleset generation and the bridges are those of
    /// the last check that changed nothing (Open may run iptables, a process). Our own changes move the generation, so
    /// the check after a change runs once more and then settles.</summary>
    public IReadOnlyList<string> OpenIfChanged(IReadOnlyCollection<string> ourBridges) => OpenIfChanged(() => ourBridges);

    internal IReadOnlyList<string> OpenIfChanged(Func<IReadOnlyCollection<string>> ourBridges)
    {
        uint? now = commits?.Generation();
        lock (_gate)
        {
            var bridges = ourBridges();
            if (now is { } g && _settled is { } s && s.Generation == g && s.Bridges.SetEquals(bridges)) return [];
            var changes = Open(() => bridges);
            _settled = now is { } settled && changes.Count == 0 ? (settled, bridges.ToHashSet(StringComparer.Ordinal)) : null;
            return changes;
        }
    }

    private NftChainInfo? Chain()
    {
        try { return forwardChain(); }
        catch (Kernel.KernelException e)
        {
            throw new EngineException(ErrorKind.Internal,
                $"Reading iptables' FORWARD chain (nftables table ip filter) failed: {e.Message}. Check that the nf_tables kernel module is available.", e);
        }
    }

    /// <summary>Deletes <paramref name="remove"/> and inserts <paramref name="add"/> at the top, in one iptables-restore run
    /// (one transaction, through <see cref="NftCommits"/>). Nothing to do: nothing runs.</summary>
    private void Change(IReadOnlyList<(OurRule Kind, string Bridge)> add, IReadOnlyList<(OurRule Kind, string Bridge)> remove, IReadOnlyCollection<string> bridges)
    {
        if (add.Count == 0 && remove.Count == 0) return;
        string input = IptablesRules.Restore(add, remove);
        ProgramResult r = default;
        try { r = runner.Run(IptablesRestore, IptablesRules.RestoreArguments(), input); }
        catch (ProgramNotFoundException e) { throw Missing(bridges, e); }
        if (r.ExitCode != 0)
            throw new EngineException(ErrorKind.Internal,
                $"Changing the engine's accept rules for bridge(s) {string.Join(", ", bridges.Take(5))}{(bridges.Count > 5 ? ", ..." : "")} in iptables' FORWARD chain " +
                $"failed (iptables-restore exit {r.ExitCode}): {r.Stderr.Trim()}. Run 'mydocker system reconcile' to try again.");
    }

    private static EngineException Missing(IReadOnlyCollection<string> bridges, ProgramNotFoundException e) =>
        new(ErrorKind.Internal,
            $"iptables' FORWARD chain (nftables table ip filter) has policy DROP, which drops the traffic of networks {string.Join(", ", bridges)}, " +
            $"and the '{e.Program}' program needed to add accept rules for them is not installed. Install iptables (the nftables variant), " +
            "then run 'mydocker system reconcile'.", e);

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

    /// <summary>What changed in plain words, logged one line per rule, or in one line when there are many (a drop policy
    /// set beside 1,000 networks adds 3,000 rules).</summary>
    private List<string> Report(IReadOnlyList<(OurRule Kind, string Bridge)> rules, bool added)
    {
        var changes = rules.Select(r => $"iptables FORWARD accept rule ({Describe(r.Kind)}) for bridge {r.Bridge}{(added ? "" : ", no longer needed")}").ToList();
        if (changes.Count <= 6)
            foreach (var c in changes) _log.LogInformation("Foreign firewall: {Change}", c);
        else
            _log.LogInformation("Foreign firewall: {Count} iptables FORWARD accept rules {Verb} for {Bridges} bridges ({First}, ...)",
                changes.Count, added ? "added" : "deleted", rules.Select(r => r.Bridge).Distinct().Count(), changes[0]);
        return changes;
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
