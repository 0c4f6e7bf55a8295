using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>
/// Puts the engine's firewall back as soon as something outside the engine changes it: an <c>nft flush ruleset</c>, a
/// firewall manager reloading its own rules, or Docker starting (it sets iptables' FORWARD policy to DROP, which would
/// drop our published ports and egress). The kernel announces every committed nftables transaction on the
/// NFNLGRP_NFTABLES group, iptables-nft's included (<see cref="INftEvents"/>); the watch sleeps until one arrives and then
/// <list type="bullet">
/// <item>skips the engine's own transactions (<see cref="NftCommits"/>), so its repairs never trigger repairs;</item>
/// <item>when another process touched our table (<c>ip mydocker</c>), compares it with what the engine holds and rebuilds it
/// in one transaction if it differs (<see cref="IFirewall.Restore"/>);</item>
/// <item>when another process touched iptables' table (<c>ip filter</c>), puts our accept rules into its FORWARD chain if
/// its policy drops (<see cref="ForeignFirewall"/>).</item>
/// </list>
/// Nothing is listed while nothing changes. When notifications were lost (the queue overflowed) both checks run, and a
/// slow periodic check (<see cref="Backstop"/>) remains for whatever no notification reports (a listing is made only if
/// the ruleset generation moved since the last one that matched).
/// <para>Another tool that undoes our repairs as fast as we make them (one that reverts every foreign change) would make
/// this a loop: after <see cref="MaxRepairs"/> repairs within <see cref="RepairWindow"/> the watch waits
/// <see cref="Throttle"/> after each repair before acting on the next change (the changes meanwhile are checked
/// together), and says so. Traffic still works most of the time, and the cost is bounded.</para>
/// </summary>
/// <param name="subscribe">Opens the subscription (in the daemon's network namespace: the thread that calls
/// <see cref="Run"/> must be in it).</param>
public sealed class FirewallWatch(
    IFirewall firewall, ForeignFirewall foreign, NftCommits commits, Func<INftEvents> subscribe, ILogger<FirewallWatch> logger,
    TimeProvider? time = null)
{
    public static readonly TimeSpan Backstop = TimeSpan.FromSeconds(60);
    public const int MaxRepairs = 20;
    public static readonly TimeSpan RepairWindow = TimeSpan.FromSeconds(10), Throttle = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Queue<DateTimeOffset> _repairs = new();
    /// <summary>No check before this moment (throttled); the checks asked for meanwhile wait in <c>_pending</c>.</summary>
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;
    private (bool Table, bool Iptables, string Cause)? _pending;

    /// <summary>Watches until <paramref name="ct"/> is cancelled, blocking the calling thread between notifications.</summary>
    public void Run(CancellationToken ct)
    {
        INftEvents? events = null;
        try { events = subscribe(); }
        catch (Kernel.KernelException e)
        {
            logger.LogError("Cannot subscribe to nftables notifications ({Error}); the firewall is checked only every {Seconds} s", e.Message, Backstop.TotalSeconds);
        }
        using var subscription = events;
        using var wake = ct.Register(() => events?.Wake());
        // Subscribed first, then one full check: a change made between the start-up reconcile and the subscription is
        // caught here, and every later one by its notification.
        Check(table: true, iptables: true, "the watch's start");
        var nextBackstop = _time.GetUtcNow() + Backstop;
        while (!ct.IsCancellationRequested)
        {
            var until = _pending is null || _notBefore > nextBackstop ? nextBackstop : _notBefore;
            var timeout = Max(until - _time.GetUtcNow(), TimeSpan.Zero);
            var changes = NftChanges.None;
            if (events is null) ct.WaitHandle.WaitOne(timeout);
            else
            {
                try { changes = events.Next(timeout); }
                catch (Kernel.KernelException e)
                {
                    // Reading failed for another reason than a full queue: check everything, and do not spin on it.
                    logger.LogError("Reading nftables notifications failed: {Error}", e.Message);
                    changes = new NftChanges([], Lost: true);
                    ct.WaitHandle.WaitOne(Throttle);
                }
            }
            if (ct.IsCancellationRequested) break;
            React(changes);
            if (_time.GetUtcNow() >= nextBackstop)
            {
                BackstopCheck();
                nextBackstop = _time.GetUtcNow() + Backstop;
            }
        }
    }

    /// <summary>Acts on what the kernel reported: the checks its foreign transactions call for (none for the engine's own),
    /// together with those a throttle held back, once the throttle allows.</summary>
    internal void React(NftChanges changes)
    {
        var (table, iptables, cause) = Plan(changes);
        if (table || iptables)
            _pending = _pending is { } p ? (p.Table || table, p.Iptables || iptables, p.Cause) : (table, iptables, cause!);
        if (_pending is not { } due || _time.GetUtcNow() < _notBefore) return;
        _pending = null;
        logger.LogDebug("Checking the firewall after {Cause}", due.Cause);
        Check(due.Table, due.Iptables, due.Cause);
    }

    /// <summary>Which checks the changes call for, and who made them (for the log).</summary>
    internal (bool Table, bool Iptables, string? Cause) Plan(NftChanges changes)
    {
        var others = changes.Transactions.Where(t => !commits.IsOwn(t)).ToList();
        if (changes.Lost) return (true, true, "lost nftables notifications (the receive queue overflowed)");
        bool table = false, iptables = false;
        string? cause = null;
        foreach (var t in others)
        {
            bool ours = t.Touches(NftRuleset.Family, NftRuleset.Table), filter = t.Touches("ip", "filter");
            if (!ours && !filter) continue;
            table |= ours;
            iptables |= filter;
            cause ??= $"a change by {t.ProcessName} (pid {t.ProcessId}, generation {t.Generation})";
        }
        return (table, iptables, cause);
    }

    private void BackstopCheck()
    {
        try
        {
            if (firewall.Restore() is { } repaired) Repaired("the periodic check", repaired);
            if (foreign.OpenIfChanged(firewall.Bridges) is { Count: > 0 } opened) Repaired("the periodic check", Summary(opened));
        }
        catch (Exception e) { logger.LogError("Firewall check failed: {Error}", e.Message); }
    }

    private void Check(bool table, bool iptables, string cause)
    {
        if (table)
        {
            try
            {
                if (firewall.Restore() is { } repaired) Repaired(cause, repaired);
            }
            catch (Exception e) { logger.LogError("Firewall check after {Cause} failed: {Error}", cause, e.Message); }
        }
        if (iptables)
        {
            try
            {
                // The bridges are read under the foreign firewall's lock (a network made meanwhile is seen whole or not at all).
                if (foreign.Open(firewall.Bridges) is { Count: > 0 } opened) Repaired(cause, Summary(opened));
            }
            catch (Exception e) { logger.LogError("iptables FORWARD check after {Cause} failed: {Error}", cause, e.Message); }
        }
    }

    private void Repaired(string cause, string what)
    {
        logger.LogWarning("Firewall repaired after {Cause}: {Change}", cause, what);
        var now = _time.GetUtcNow();
        _repairs.Enqueue(now);
        while (_repairs.Count > 0 && now - _repairs.Peek() > RepairWindow) _repairs.Dequeue();
        if (_repairs.Count < MaxRepairs) return;
        bool already = now < _notBefore + Throttle;
        _notBefore = now + Throttle;
        if (!already)
            logger.LogError(
                "The firewall was repaired {Count} times within {Window} s, last after {Cause}: another tool keeps undoing the engine's rules. " +
                "Repairs are limited to one every {Throttle} s while this lasts; 'mydocker system doctor' names foreign rules that block networks",
                _repairs.Count, RepairWindow.TotalSeconds, cause, Throttle.TotalSeconds);
    }

    private static string Summary(IReadOnlyList<string> changes) =>
        changes.Count <= 6 ? string.Join("; ", changes) : $"{changes.Count} changes ({changes[0]}; ...)";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
