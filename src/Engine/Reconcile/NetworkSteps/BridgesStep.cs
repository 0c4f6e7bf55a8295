using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>Live networks: address pools loaded, devices present, marked, addressed and up. One dump of the kernel
/// serves every network (and the steps after this one).</summary>
public sealed class BridgesStep(IRtNetlink netlink, BridgeDriver bridges, IpamAllocator ipam) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        ctx.Links = netlink.ListLinks();
        ctx.Addresses = netlink.ListAddresses();
        foreach (var r in ctx.LiveNetworks)
        {
            result.Attempt($"address pool of network '{r.Name}'", () => ipam.OpenPool(NetworkService.PoolOf(r)));
            result.Attempt($"bridge of network '{r.Name}'", () => result.Report.Repaired.AddRange(bridges.Repair(r, ctx.Links, ctx.Addresses)));
        }
        return Task.CompletedTask;
    }
}
