using MyDocker.Engine.Containers;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>
/// Which container ids count as live for the orphan steps. They run beside creates and removes, so "no record in the
/// snapshot" is not "orphan": an id is live if the snapshot has it, an operation of this process holds it (set before it
/// makes anything), or its record appeared since the snapshot was read. One snapshot per run
/// (<see cref="ReconcileContext.ContainerIds"/>), taken by the first orphan step.
/// </summary>
internal static class LiveContainers
{
    public static async Task<Func<string, bool>> OfAsync(ReconcileContext ctx, OperationRegistry operations)
    {
        var db = ctx.Db;
        var liveIds = ctx.ContainerIds ??= (await db.ContainerIdsAsync()).ToHashSet();
        return id => liveIds.Contains(id) || operations.IsBusy(id) || db.ContainerExists(id);
    }
}
