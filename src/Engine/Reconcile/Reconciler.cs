using Microsoft.Extensions.Logging;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;

namespace MyDocker.Engine.Reconcile;

/// <summary>
/// Compares the database (desired state) with the kernel and repairs drift both ways (DESIGN.md §4.4):
/// records left half-made by a crash are rolled back or finished, live records get their missing kernel objects back,
/// and engine-marked kernel objects that no record owns are removed. Runs at start-up and on demand; runs the steps
/// <see cref="ReconcileOrder"/> lists, every one even if another fails, and the report lists what changed and what failed.
/// </summary>
public sealed class Reconciler(
    StateDbFactory state, NetworkService networks, LinkReaper reaper, IReadOnlyList<IReconcileStep> steps, ILogger<Reconciler> logger)
{
    /// <summary>One orphan removal at a time (the start-up one in the background may meet an on-demand reconcile).</summary>
    private readonly SemaphoreSlim _orphanGate = new(1, 1);

    /// <param name="firstRun">The daemon's start: the firewall table is rebuilt even when it matches.</param>
    /// <param name="orphansLater">Leave engine objects no record owns (and processes left in orphaned cgroups) to
    /// <see cref="RemoveOrphansAsync"/>: at start-up the API answers first and those are removed in the background; nothing
    /// a request needs waits for them (a new container gets a new id, so nothing of an orphan is in its way).</param>
    public async Task<ReconcileReport> RunAsync(bool firstRun = false, CancellationToken ct = default, bool orphansLater = false) =>
        (await RunStepsAsync(firstRun, ct, orphansLater)).Report;

    /// <summary><see cref="RunAsync"/>, with each failure's exception kept.</summary>
    public async Task<ReconcileResult> RunStepsAsync(bool firstRun = false, CancellationToken ct = default, bool orphansLater = false)
    {
        // Held by the reconciler too, so it never races a network create or remove.
        await networks.Gate.WaitAsync(ct);
        try
        {
            // Devices already being deleted are not drift: let those deletions finish before looking.
            await reaper.DrainAsync().WaitAsync(ct);
            var result = await RunLockedAsync(firstRun, orphansLater ? s => !s.RemovesOrphans : _ => true, ct);
            Log(result.Report);
            return result;
        }
        finally
        {
            networks.ForgetKnownNetworks();
            networks.Gate.Release();
        }
    }

    /// <summary>Removes what no record owns (the steps that remove orphans); logs what it did.</summary>
    public Task<ReconcileReport> RemoveOrphansAsync() => Task.Run(async () =>
    {
        var result = await RunLockedAsync(firstRun: false, s => s.RemovesOrphans, CancellationToken.None);
        var report = result.Report;
        Log(report);
        logger.LogInformation("Orphan clean-up done: {Removed} removed, {Errors} errors", report.Removed.Count, report.Errors.Count);
        return report;
    });

    private async Task<ReconcileResult> RunLockedAsync(bool firstRun, Func<IReconcileStep, bool> which, CancellationToken ct)
    {
        var result = new ReconcileResult();
        await using var db = state.Create();
        var ctx = new ReconcileContext(db, firstRun);
        // The orphan gate is held across a run of consecutive orphan steps: one removal of orphans at a time, as a whole.
        bool holding = false;
        try
        {
            foreach (var step in steps.Where(which))
            {
                if (step.RemovesOrphans != holding)
                {
                    if (holding) _orphanGate.Release();
                    else await _orphanGate.WaitAsync(CancellationToken.None);
                    holding = !holding;
                }
                if (!await RunStepAsync(step, ctx, result, ct)) break;
            }
        }
        finally
        {
            if (holding) _orphanGate.Release();
        }
        return result;
    }

    /// <summary>Runs one step; false when the run must stop there.</summary>
    internal static async Task<bool> RunStepAsync(IReconcileStep step, ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        try
        {
            await step.RunAsync(ctx, result, ct);
            return true;
        }
        catch (InvalidDataException e)
        {
            // A stored row that does not read (State's mappings name it and the column). The steps after this one build
            // on what it read (the firewall step must not rebuild the table without the networks it could not read), so
            // the run stops here; the daemon still starts, and every reconcile reports the row.
            result.Fail($"reconcile step {step.GetType().Name}", e);
            return false;
        }
    }

    private void Log(ReconcileReport report)
    {
        foreach (var line in report.Repaired) logger.LogInformation("Reconcile repaired: {Change}", line);
        foreach (var line in report.Removed) logger.LogInformation("Reconcile removed: {Change}", line);
        foreach (var line in report.Errors) logger.LogError("Reconcile failed: {Error}", line);
    }
}
