using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.Engine.Containers;

/// <summary>
/// A container's processes and the clients talking to them, as <see cref="ContainerService"/> drives them: the runtime
/// (runc, with conmon as each container's monitor), the exit records the monitors write, the clients waiting to attach
/// to a container's stdio, and exec instances. Singletons; each part is thread-safe.
/// </summary>
public sealed class ContainerProcesses(IOciRuntime runtime, ExitWatcher exits, AttachWaiters attach, ExecSessions execs)
{
    public IOciRuntime Runtime => runtime;
    public ExitWatcher Exits => exits;
    public AttachWaiters Attach => attach;
    public ExecSessions Execs => execs;
}
