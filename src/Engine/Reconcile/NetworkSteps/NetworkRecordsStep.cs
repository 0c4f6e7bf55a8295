using MyDocker.Engine.Networks;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>Operations a crash interrupted: a Creating network is rolled back, a Removing one finished. Either way the
/// record goes. Leaves the Ready ones in <see cref="ReconcileContext.LiveNetworks"/>.</summary>
public sealed class NetworkRecordsStep(NetworkService networks) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        ctx.Networks = await ctx.Db.AllNetworksAsync(ct);
        foreach (var r in ctx.Networks.Where(r => r.Phase != NetworkPhase.Ready))
            await result.AttemptAsync($"finish {(r.Phase == NetworkPhase.Creating ? "rollback of" : "removal of")} network '{r.Name}'", async () =>
            {
                networks.TeardownKernel(r, deleteDeviceNow: true);
                await ctx.Db.DeleteNetworkAsync(r.Id, CancellationToken.None);
                result.Report.Removed.Add(r.Phase == NetworkPhase.Creating
                    ? $"half-made network '{r.Name}' (bridge {r.Bridge}) rolled back"
                    : $"network '{r.Name}' (bridge {r.Bridge}) removal finished");
            });
        ctx.LiveNetworks = [.. ctx.Networks.Where(r => r.Phase == NetworkPhase.Ready)];
    }
}
