using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Settled containers get their netns and, for each endpoint with an address, its veth back (<see cref="EndpointDriver.Repair"/>).
/// One dump of the host's links serves every container.</summary>
public sealed class EndpointsStep(EngineOptions options, NetnsStore netns, EndpointDriver endpoints, IRtNetlink netlink) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var report = result.Report;
        var networks = (await ctx.Db.AllNetworksAsync(ct)).ToDictionary(n => n.Id);
        var hostLinks = netlink.ListLinks();
        foreach (var r in ctx.Containers)
        {
            var paths = ContainerPaths.For(options, r.Id);
            foreach (var e in r.Endpoints)
                result.Attempt($"network of container '{r.Name}'{(e.InterfaceIndex > 0 ? $" ({e.Interface})" : "")}", () =>
                {
                    // A connect or disconnect cut short is AttachmentsStep's; an endpoint without an address is not made yet.
                    if (e.Phase != EndpointPhase.Attached || e.Ip is null || !networks.TryGetValue(e.NetworkId, out var network)) return;
                    if (!netns.Exists(paths.NetnsName))
                    {
                        netns.Create(paths.NetnsName);
                        report.Repaired.Add($"netns of container '{r.Name}' created again");
                    }
                    var plan = ContainerService.EndpointPlanFor(r, e, network, paths);
                    report.Repaired.AddRange(endpoints.Repair(plan, hostLinks));
                });
        }
    }
}
