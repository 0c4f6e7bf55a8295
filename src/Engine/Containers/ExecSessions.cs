using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;

namespace MyDocker.Engine.Containers;

/// <summary>What `exec` asks to run (Docker's exec config, without a terminal).</summary>
public sealed record ExecConfig(List<string> Cmd, bool Stdin, List<string> Env, string? WorkingDir, string? User);

/// <summary>An exec instance: made by create, run once by start, then kept for its exit code (Docker's model).</summary>
public sealed class ExecSession(string id, string containerId, ExecConfig config, DateTimeOffset created)
{
    public DateTimeOffset Created => created;
    public string Id => id;
    public string ContainerId => containerId;
    public ExecConfig Config => config;
    public bool Started { get; internal set; }
    public ExecProcess? Process { get; internal set; }
    /// <summary>Derived from the process, so an inspect right after the stream ended already sees the exit code (a
    /// continuation that set it could still be pending).</summary>
    public bool Running => Process is { Exited.IsCompleted: false };
    public int? ExitCode => Process?.Exited is { IsCompletedSuccessfully: true } exited ? exited.Result : null;
}

/// <summary>
/// Exec instances (Docker's model: made by create, run once by start, kept for their exit code) of running containers.
/// The caller looks the container up and passes its view; this class checks, runs and remembers. Thread-safe.
/// </summary>
public sealed class ExecSessions(ContainerRuntime runtime, EventHub events)
{
    private readonly ExecStore _execs = new(TimeProvider.System);

    public ExecSession Create(ContainerView view, ExecConfig config)
    {
        if (config.Cmd.Count == 0)
            throw EngineException.Invalid($"no command given; name what to run in '{view.Name}', e.g. 'mydocker exec {view.Name} sh'");
        if (config.WorkingDir is { Length: > 0 } dir) ContainerPlanner.ValidateWorkingDir(dir, "-w /tmp");
        if (view.Container.Phase != ContainerPhase.Running)
            throw EngineException.Conflict($"container '{view.Name}' is not running; start it first (mydocker start {view.Name})");
        var session = _execs.Add(view.Id, config);
        events.Publish(Events.EngineEvents.ExecCreated(view.Container, config.Cmd));
        return session;
    }

    public ExecSession Get(string execId) => _execs.Get(execId);

    /// <summary>Marks the instance started; an instance runs once.</summary>
    public ExecSession Claim(string execId)
    {
        var session = Get(execId);
        lock (session)
        {
            if (session.Started) throw EngineException.Conflict($"exec instance {execId[..12]} has already been started; create another");
            session.Started = true;
        }
        return session;
    }

    /// <summary>Runs a claimed instance in its container (<paramref name="view"/>); the caller pumps its streams. Its exit
    /// code is kept on the session.</summary>
    public async Task<ExecProcess> StartAsync(ExecSession session, ContainerView view, ContainerPaths paths, CancellationToken ct)
    {
        if (view.Container.Phase != ContainerPhase.Running)
            throw EngineException.Conflict($"container '{view.Name}' is not running; start it first (mydocker start {view.Name})");
        var c = session.Config;
        // The running container can rewrite its /etc/passwd at will: UserLookup reads it through RootfsFile. The process
        // gets exactly this user's groups, not the container user's (ExecProcessSpec).
        var user = string.IsNullOrEmpty(c.User) ? null : UserLookup.Resolve(c.User, paths.Rootfs, $"container '{view.Name}'");
        var process = await runtime.ExecAsync(view.Id, paths.Dir, new ExecRequest(c.Cmd, c.Stdin, c.Env, c.WorkingDir, user), ct);
        session.Process = process;
        string execId = session.Id;
        events.Publish(Events.EngineEvents.ExecStarted(view.Container, c.Cmd));
        _ = process.Exited.ContinueWith(t =>
        {
            events.Publish(Events.EngineEvents.ExecDied(view.Container, execId, t.Result));
        }, TaskScheduler.Default);
        return process;
    }

    /// <summary>Exec instances of a removed container go with it.</summary>
    public void ForgetContainer(string containerId) => _execs.ForgetContainer(containerId);
}
