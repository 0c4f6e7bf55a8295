using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

/// <summary>
/// The reconciler's repairs of a start that a daemon crash cut short. A start is `runc create` (the process exists,
/// stopped before its command), the Running record, then `runc start`; a crash between two of them leaves runc's
/// "created" container under a record that says otherwise. Both repairs take the container's lock without waiting:
/// when it is held, a start is under way in this process and what the reconciler sees is not drift.
/// </summary>
public sealed partial class ContainerService
{
    /// <summary>
    /// A container recorded Running whose runc status is "created": the daemon died after recording the start and
    /// before `runc start`, so its process never ran — it must not be reported "Up". The start is finished, since the
    /// record says the container is meant to run (its ports are published by the reconciler's firewall step); if runc
    /// cannot start it, it is recorded as exited with the reason. Returns what was done, or null (nothing to do).
    /// </summary>
    internal string? FinishInterruptedStart(string id)
    {
        var gate = operations.LockOf(id);
        if (!gate.Wait(0)) return null;
        try
        {
            using var db = state.Create();
            if (db.FindContainer(id) is not { Phase: ContainerPhase.Running } record) return null;
            if (processes.Runtime.StateAsync(id, CancellationToken.None).GetAwaiter().GetResult() is not { Status: "created" }) return null;
            try { processes.Runtime.StartAsync(id, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (EngineException e)
            {
                processes.Runtime.DeleteAsync(id, CancellationToken.None).GetAwaiter().GetResult();
                processes.Runtime.ClearExit(id);
                db.UpdateContainer(record, RecordExit(record, 125, DateTimeOffset.UtcNow, oomKilled: false,
                    error: $"the daemon stopped before the process was started, and starting it afterwards failed: {e.Message}"));
                events.Publish(Events.EngineEvents.ContainerDied(record, 125));
                return $"container '{record.Name}' was recorded running but its process had never started, and it could not be started ({e.Message}); marked exited (125)";
            }
            events.Publish(Events.EngineEvents.ContainerStarted(record));
            return $"container '{record.Name}' was recorded running but its process had never started (the daemon stopped first); started it";
        }
        finally { gate.Release(); }
    }

    /// <summary>
    /// A container not recorded Running that runc holds as "created": the daemon died between `runc create` and the
    /// Running record. Its runc container and monitor are deleted, so they do not wait for a start that is not
    /// coming, and the next `start` begins afresh. Returns what was done, or null.
    /// </summary>
    internal string? RemoveUnstartedRuntime(string id)
    {
        if (!processes.Runtime.HasState(id)) return null;
        var gate = operations.LockOf(id);
        if (!gate.Wait(0)) return null;
        try
        {
            using var db = state.Create();
            if (db.FindContainer(id) is not { Phase: ContainerPhase.Created or ContainerPhase.Exited } record) return null;
            if (processes.Runtime.StateAsync(id, CancellationToken.None).GetAwaiter().GetResult() is not { Status: "created" }) return null;
            processes.Runtime.DeleteAsync(id, CancellationToken.None).GetAwaiter().GetResult();
            return $"container '{record.Name}': its process was made but never started (the daemon stopped first); removed it, the container stays {(record.Phase == ContainerPhase.Created ? "created" : "exited")}";
        }
        finally { gate.Release(); }
    }
}
