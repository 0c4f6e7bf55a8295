using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Host veths marked as a container's whose container is gone are deleted (now, not by the link reaper: the
/// reconcile leaves a clean kernel).</summary>
public sealed class VethOrphansStep(IRtNetlink netlink, EndpointDriver endpoints, OperationRegistry operations) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        result.Attempt("orphan veths", () =>
        {
            foreach (var link in EndpointDriver.OrphanVeths(netlink.ListLinks(), isLive))
            {
                var t = new Common.Teardown();
                var (id, index) = EndpointDriver.OwnerOf(link)!.Value;
                endpoints.Teardown(id, index, t, deleteNow: true);
                t.ThrowIfFailed($"deleting orphan veth {link.Name}");
                result.Report.Removed.Add($"orphan veth {link.Name} ({link.Alias}) deleted");
            }
        });
    }
}
