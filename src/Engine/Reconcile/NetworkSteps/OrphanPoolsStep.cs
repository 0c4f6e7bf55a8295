using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>Address pools whose network is gone, deleted through the allocator (which owns those tables).</summary>
public sealed class OrphanPoolsStep(IpamAllocator ipam) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct) =>
        result.AttemptAsync("orphan address pools", async () =>
        {
            var liveIds = ctx.LiveNetworks.Select(r => r.Id).ToList();
            var orphans = await ctx.Db.IpamLeases.Where(l => !liveIds.Contains(l.PoolId)).Select(l => l.PoolId)
                .Union(ctx.Db.IpamCursors.Where(c => !liveIds.Contains(c.PoolId)).Select(c => c.PoolId))
                .ToListAsync(CancellationToken.None);
            foreach (var pool in orphans) ipam.ClosePool(pool, deleteLeases: true);
            if (orphans.Count > 0) result.Report.Removed.Add($"address leases of {orphans.Count} removed network(s) released");
        });
}
