using MyDocker.Engine.Containers;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>
/// Operations a crash interrupted: a Creating container is rolled back, a Removing one finished; either way the record
/// goes (an operation still running in this process is not drift). Leaves the settled containers (Created, Running,
/// Exited) in <see cref="ReconcileContext.Containers"/> for the steps after it. After the network steps: a container's
/// teardown releases its address into its network's pool, which must be open.
/// </summary>
public sealed class ContainerRecordsStep(ContainerService containers, OperationRegistry operations) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var report = result.Report;
        var db = ctx.Db;
        var records = await db.AllContainersAsync(ct);

        foreach (var r in records.Where(r => r.Phase is ContainerPhase.Creating or ContainerPhase.Removing && !operations.IsBusy(r.Id)))
            await result.AttemptAsync($"finish {(r.Phase == ContainerPhase.Creating ? "rollback of" : "removal of")} container '{r.Name}'", async () =>
            {
                await containers.TeardownAsync(r);
                await db.DeleteContainerAsync(r.Id);
                report.Removed.Add(r.Phase == ContainerPhase.Creating
                    ? $"half-made container '{r.Name}' ({r.Id[..12]}) rolled back"
                    : $"container '{r.Name}' ({r.Id[..12]}) removal finished");
            });
        var live = await db.AllContainersAsync(ct);
        ctx.Containers = live.Where(r => r.Phase is ContainerPhase.Created or ContainerPhase.Running or ContainerPhase.Exited).ToList();
    }
}
