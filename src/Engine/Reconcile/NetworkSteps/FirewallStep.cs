using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.State;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Firewall;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>The firewall: replaced atomically with exactly the live networks' elements and the running containers'
/// ports when it differs (always at start-up, which also restores base rules someone edited by hand; the sets alone
/// would not show that). No network: no table, and forwarding off again if the engine had turned it on.</summary>
public sealed class FirewallStep(IFirewall firewall, HostForwarding forwarding) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct) =>
        result.AttemptAsync("nftables table", async () =>
        {
            var report = result.Report;
            var want = ctx.LiveNetworks.Select(BridgeDriver.FirewallView).ToList();
            var wantPorts = ContainerService.MappingsOfRunning(await ctx.Db.AllContainersAsync(CancellationToken.None));
            var have = firewall.Read();
            bool same = have.Matches(want, wantPorts, forwarding.OwnedByEngine);
            if (want.Count == 0)
            {
                // No networks, no forwarding of ours, no table: an idle daemon leaves no trace. Forwarding goes off before
                // the table that holds its drop goes (AddNetwork and Enable make both again).
                if (forwarding.ReleaseIfOwned()) report.Removed.Add("IPv4 forwarding turned off again: MyDocker had turned it on and no network needs it");
                if (!have.Present) return;
                firewall.Remove();
                report.Removed.Add("nftables table removed: no networks need it");
                return;
            }
            if (same && !ctx.FirstRun) return;
            firewall.Rebuild(want, wantPorts);
            if (same) return;
            report.Repaired.Add(have.TableExists
                ? $"nftables table rebuilt for {want.Count} network(s) and {wantPorts.Count} published port(s)"
                : $"nftables table created for {want.Count} network(s) and {wantPorts.Count} published port(s)");
        });
}
