using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Runtime containers, monitors, exit records and cgroups no container owns are killed and removed (processes
/// left in an orphaned cgroup too), first of the orphan steps: nothing may still run in a netns or on a rootfs the later
/// ones remove.</summary>
public sealed class RuntimeOrphansStep(IOciRuntime runtime, OperationRegistry operations, EventHub events) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        await result.AttemptAsync("orphan runtime state", async () =>
        {
            foreach (var id in await runtime.RemoveOrphansAsync(isLive, CancellationToken.None))
            {
                result.Report.Removed.Add($"orphan container process, monitor or cgroup {ShortId.Of(id)} removed");
                events.Publish(EngineEvents.OrphanDestroyed(id));
            }
        });
    }
}
