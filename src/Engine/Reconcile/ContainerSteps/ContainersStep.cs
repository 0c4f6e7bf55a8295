namespace MyDocker.Engine.Reconcile.ContainerSteps;

/// <summary>Container records a crash left half-made or half-removed, and live containers' rootfs, netns, endpoint,
/// ports and process state (see <see cref="ContainerReconciler"/>). After the network steps: it needs the networks'
/// pools and bridges in place.</summary>
public sealed class ContainersStep(ContainerReconciler containers) : IReconcileStep
{
    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct) => containers.RunAsync(result);
}

/// <summary>Engine objects no container owns: runtime state, veths, netns, mounts and directories, leases
/// (<see cref="ContainerReconciler.RemoveOrphansAsync"/>).</summary>
public sealed class ContainerOrphansStep(ContainerReconciler containers) : IReconcileStep
{
    public bool RemovesOrphans => true;

    public Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct) => containers.RemoveOrphansAsync(result);
}
