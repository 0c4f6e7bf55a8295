using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Rootfs;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Rootfs mounts and container directories under the data root that no container owns: unmounted, then deleted
/// (a directory still holding a mount is left for the next run rather than deleted through it).</summary>
public sealed class ContainerDirectoriesStep(EngineOptions options, OperationRegistry operations) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        var report = result.Report;
        result.Attempt("orphan container directories", () =>
        {
            string root = ContainerPaths.ContainersDir(options);
            foreach (var mount in OverlayMount.MountedUnder(root + "/"))
            {
                string id = Path.GetRelativePath(root, mount).Split('/')[0];
                if (isLive(id)) continue;
                OverlayMount.Unmount(mount);
                report.Removed.Add($"orphan rootfs mount {mount} unmounted");
            }
            if (!Directory.Exists(root)) return;
            foreach (var dir in Directory.GetDirectories(root))
            {
                if (isLive(Path.GetFileName(dir)) || OverlayMount.MountedUnder(dir + "/").Count > 0) continue;
                Directory.Delete(dir, recursive: true);
                report.Removed.Add($"orphan container directory {ShortId.Of(Path.GetFileName(dir))} deleted");
            }
        });
    }
}
