using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>Devices carrying our network mark that no live record owns are deleted (devices the bridges step re-created
/// are owned, so its dump will do).</summary>
public sealed class OrphanDevicesStep(IRtNetlink netlink) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var owned = ctx.LiveNetworks.Select(r => BridgeDriver.AliasFor(r.Id)).ToHashSet();
        foreach (var link in ctx.Links)
        {
            if (link.Alias is null || !link.Alias.StartsWith(BridgeDriver.AliasPrefix) || owned.Contains(link.Alias)) continue;
            result.Attempt($"orphan device {link.Name}", () =>
            {
                netlink.DeleteLink(link.Name);
                result.Report.Removed.Add($"orphan bridge {link.Name} ({link.Alias}) deleted");
            });
        }
        return Task.CompletedTask;
    }
}
