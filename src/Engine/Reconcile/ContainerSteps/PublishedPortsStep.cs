using MyDocker.Engine.Containers;
using MyDocker.Engine.Ports;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Settled containers' host ports reserved again (a new daemon starts with none); the firewall step publishes
/// the running ones' afterwards. A port someone else took meanwhile is a problem reported, not a failure.</summary>
public sealed class PublishedPortsStep(PortForwarder ports) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        foreach (var r in ctx.Containers)
            result.Attempt($"published ports of container '{r.Name}'", () =>
            {
                foreach (var problem in ports.Restore(r.Id, r.Name, r.Spec.Ports)) result.Problem(problem);
            });
        return Task.CompletedTask;
    }
}
