namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// The OCI runtime as <see cref="ContainerService"/> and the reconciler drive it: runc, with conmon as each container's
/// monitor (<see cref="ContainerRuntime"/>). A container is created (its init process exists, stopped before the command),
/// started, signalled and deleted by id; its monitor records the exit in a file that outlives the daemon. Nothing is held
/// in memory: every answer comes from the runtime's own state, so a new instance sees what the old one left.
/// Thread-safe singleton; calls for one container are serialised by its caller (<see cref="OperationRegistry"/>).
/// </summary>
public interface IOciRuntime
{
    RuntimeOptions Options { get; }

    /// <summary>Creates the container from the bundle in <paramref name="bundleDir"/> under a new monitor, without starting
    /// its command; returns the init process's pid. On failure nothing of the attempt is left and
    /// <see cref="ContainerStartException"/> says why. A stale exit record under the same id is cleared first.</summary>
    Task<int> CreateAsync(string id, string bundleDir, string logPath, StdioOptions stdio, CancellationToken ct);

    /// <summary>Starts the command of a created container.</summary>
    /// <exception cref="EngineException">The runtime refused.</exception>
    Task StartAsync(string id, CancellationToken ct);

    /// <summary>Sends a signal to the container's init process. A container that is stopped or gone is not an error.</summary>
    Task KillAsync(string id, int signal, CancellationToken ct);

    /// <summary>Deletes the container (killing its processes first), waits for its monitor, removes its cgroups. The exit
    /// record is kept (<see cref="ClearExit"/>). Idempotent: an unknown id is already deleted.</summary>
    Task DeleteAsync(string id, CancellationToken ct);

    /// <summary>Whether the runtime has state for the container (any status), cheaply (no runtime process).</summary>
    bool HasState(string id);

    /// <summary>The runtime's state of the container, or null when it does not know it.</summary>
    Task<RuntimeState?> StateAsync(string id, CancellationToken ct);

    /// <summary>The pid of the container's monitor while it is alive, else null.</summary>
    int? MonitorPid(string id);

    /// <summary>The exit the monitor recorded, or null while the process runs (or if it never ran).</summary>
    ExitInfo? ReadExit(string id);

    /// <summary>Forgets the exit record (before a restart, or on removal). Idempotent.</summary>
    void ClearExit(string id);

    /// <summary>Resizes a terminal container's pty; false when no monitor is there to tell.</summary>
    bool Resize(string bundleDir, int height, int width);

    /// <summary>Kills and removes every container, monitor, exit record and cgroup whose id <paramref name="isLive"/> says
    /// is not live (asked at removal time); returns the ids removed.</summary>
    Task<IReadOnlyList<string>> RemoveOrphansAsync(Func<string, bool> isLive, CancellationToken ct);
}
