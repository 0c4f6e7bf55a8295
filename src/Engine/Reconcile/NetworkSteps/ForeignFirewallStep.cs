using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.Engine.Reconcile.NetworkSteps;

/// <summary>Another tool's FORWARD chain with policy drop (Docker's) would drop our bridges' traffic: our accept rules
/// there follow the live bridges (none left: ours are removed). Then IPv4 forwarding, which live networks need.</summary>
public sealed class ForeignFirewallStep(ForeignFirewall foreign, IFirewall firewall, HostForwarding forwarding) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        result.Attempt("another tool's firewall (iptables FORWARD)", () => result.Report.Repaired.AddRange(foreign.Open(ctx.LiveNetworks.Select(r => r.Bridge).ToList())));
        if (ctx.LiveNetworks.Count > 0) result.Attempt("IPv4 forwarding", () => forwarding.Enable(firewall));
        return Task.CompletedTask;
    }
}
