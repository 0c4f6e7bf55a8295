using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Addresses leased to containers that are gone are released, on every Ready network.</summary>
public sealed class LeaseOrphansStep(IpamAllocator ipam, OperationRegistry operations) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var isLive = await LiveContainers.OfAsync(ctx, operations);
        var networks = (await ctx.Db.AllNetworksAsync(ct)).ToDictionary(n => n.Id);
        result.Attempt("orphan address leases", () =>
        {
            foreach (var network in networks.Values.Where(n => n.Phase == NetworkPhase.Ready))
                foreach (var lease in ipam.Leases(network.Id).Where(l => !isLive(l.OwnerId)))
                {
                    ipam.Release(network.Id, lease.Address);
                    result.Report.Removed.Add($"lease {IPv4.ToAddress(lease.Address)} of network '{network.Name}' released (owner {ShortId.Of(lease.OwnerId)} is gone)");
                }
        });
    }
}
