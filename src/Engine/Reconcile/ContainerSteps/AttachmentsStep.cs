using MyDocker.Engine.Containers;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Connects and disconnects a crash cut short (an endpoint still Connecting or Disconnecting): the attachment is
/// removed whole, so a container has the whole new attachment or none (<see cref="ContainerService.FinishInterruptedAttachment"/>).
/// After <see cref="ContainerRecordsStep"/> (settled containers only) and before <see cref="EndpointsStep"/>, which then
/// repairs the endpoints that remain.</summary>
public sealed class AttachmentsStep(ContainerService containers) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var changed = false;
        foreach (var r in ctx.Containers.Where(r => r.Endpoints.Any(e => e.Phase != EndpointPhase.Attached)).ToList())
            await result.AttemptAsync($"finish connect/disconnect of container '{r.Name}'", async () =>
            {
                if (await containers.FinishInterruptedAttachment(r.Id) is { } done)
                {
                    result.Report.Repaired.Add(done);
                    changed = true;
                }
            });
        if (!changed) return;
        var ids = ctx.Containers.Select(c => c.Id).ToList();
        ctx.Containers = await ctx.Db.ContainersWithIdsAsync(ids, ct);
    }
}
