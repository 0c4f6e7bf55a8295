using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>
/// Records against the runtime, once each container's rootfs, endpoint and ports are back: a start a crash cut short is
/// finished (recorded running, runtime "created") or its runtime container removed (not recorded running); a "running"
/// container whose process ended is handed to the exit loop, or, when its monitor died with it and left no exit file,
/// marked exited (255).
/// </summary>
public sealed class ProcessStateStep(ContainerService containers, IOciRuntime runtime, ExitWatcher exits) : IReconcileStep
{
    public async Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct)
    {
        var report = result.Report;
        foreach (var r in ctx.Containers)
        {
            if (r.Phase != ContainerPhase.Running)
                result.Attempt($"runtime state of container '{r.Name}'", () =>
                {
                    if (containers.RemoveUnstartedRuntime(r.Id) is { } removed) report.Removed.Add(removed);
                });
            if (r.Phase == ContainerPhase.Running)
                await result.AttemptAsync($"state of container '{r.Name}'", async () =>
                {
                    var s = await runtime.StateAsync(r.Id, CancellationToken.None);
                    if (s is { Status: "running" }) return;
                    if (s is { Status: "created" })
                    {
                        // Never "Up" for a process that never ran: the start is finished (or the exit recorded).
                        if (containers.FinishInterruptedStart(r.Id) is { } done) report.Repaired.Add(done);
                        return;
                    }
                    if (runtime.ReadExit(r.Id) is not null)
                    {
                        // An exit the exit loop has not recorded (missed, or recording it failed): hand it back to the
                        // loop, which takes the container's lock; the reconcile holds the network gate and must not.
                        exits.Recheck(r.Id);
                        report.Repaired.Add($"exit of container '{r.Name}' handed to the exit loop");
                        return;
                    }
                    containers.MarkLost(r.Id);
                    report.Repaired.Add($"container '{r.Name}' was running but its process is gone; marked exited (255)");
                });
        }
    }
}
