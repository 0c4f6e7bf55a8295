using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Host veths marked as a container's whose container is gone are deleted (now, not by the link reaper: the
/// reconcile leaves a clean kernel); so is a live container's veth of an interface (eth1 and later) none of its
/// endpoints claims — a connect rolled back while the link reaper still held its veth when the daemon died.</summary>
public sealed class VethOrphansStep(IRtNetlink netlink, EndpointDriver endpoints, OperationRegistry operations) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        result.Attempt("orphan veths", () =>
        {
            var links = netlink.ListLinks();
            foreach (var link in EndpointDriver.OrphanVeths(links, isLive))
                Delete(link, $"orphan veth {link.Name} ({link.Alias}) deleted");
            foreach (var link in links)
            {
                // Read afresh, and never while an operation holds the container: a connect records its endpoint before
                // it makes the veth, so a veth no endpoint claims is one nothing will claim.
                if (EndpointDriver.OwnerOf(link) is not ({ } id, > 0 and var index) || operations.IsBusy(id)) continue;
                if (ctx.Db.FindContainer(id) is not { Phase: ContainerPhase.Created or ContainerPhase.Running or ContainerPhase.Exited } c
                    || c.Endpoints.Any(e => e.InterfaceIndex == index)) continue;
                Delete(link, $"veth {link.Name} of container '{c.Name}' deleted: none of its endpoints is eth{index}");
            }
        });

        void Delete(LinkInfo link, string what)
        {
            var (id, index) = EndpointDriver.OwnerOf(link)!.Value;
            var t = new Common.Teardown();
            endpoints.Teardown(id, index, t, deleteNow: true);
            t.ThrowIfFailed($"deleting veth {link.Name}");
            result.Report.Removed.Add(what);
        }
    }
}
