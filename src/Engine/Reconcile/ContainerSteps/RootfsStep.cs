using MyDocker.Engine.Containers;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Settled containers get their rootfs mount back (a reboot, or someone's umount, took it).</summary>
public sealed class RootfsStep(IContainerResources resources) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var report = result.Report;
        foreach (var r in ctx.Containers)
        {
            var paths = resources.Paths(r.Id);
            await result.AttemptAsync($"rootfs of container '{r.Name}'", async () =>
            {
                if (resources.IsRootfsMounted(paths)) return;
                var image = await resources.ImageAsync(r.ImageId, CancellationToken.None);
                resources.MountRootfs(image, paths);
                report.Repaired.Add($"rootfs of container '{r.Name}' mounted again");
            });
        }
    }
}
