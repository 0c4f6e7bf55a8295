using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Network namespaces the engine pinned for containers that are gone are unmounted and removed.</summary>
public sealed class NetnsOrphansStep(NetnsStore netns, OperationRegistry operations) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        result.Attempt("orphan netns", () =>
        {
            foreach (var name in netns.List().Where(n => !isLive(n)))
            {
                netns.Remove(name);
                result.Report.Removed.Add($"orphan netns {ShortId.Of(name)} removed");
            }
        });
    }
}
