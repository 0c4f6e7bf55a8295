using MyDocker.Engine.Networks.Dns;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>
/// The resolver is given the whole table of running containers' names, read from the database once every container's
/// state is settled (after <see cref="ProcessStateStep"/>): at the daemon's start this runs before the API listens, so
/// the resolver holds the same records before the first request is answered. It is started if it is not running and
/// there is a name to answer.
/// </summary>
public sealed class NamesStep(INameRegistry names) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct) =>
        result.AttemptAsync("names of the running containers", async () =>
        {
            if (await names.SyncAsync(ct) is { } started) result.Report.Repaired.Add(started);
        });
}
