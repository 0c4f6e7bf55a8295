using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Settled containers with an address get their netns and veth endpoint back (<see cref="EndpointDriver.Repair"/>).
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
            result.Attempt($"network of container '{r.Name}'", () =>
            {
                if (r.Endpoint.Ip is not { } ip || !networks.TryGetValue(r.Endpoint.NetworkId, out var network)) return;
                if (!netns.Exists(paths.NetnsName))
                {
                    netns.Create(paths.NetnsName);
                    report.Repaired.Add($"netns of container '{r.Name}' created again");
                }
                var plan = ContainerService.EndpointPlanFor(r.Id, network, ip, paths);
                report.Repaired.AddRange(endpoints.Repair(plan, hostLinks));
            });
        }
    }
}
