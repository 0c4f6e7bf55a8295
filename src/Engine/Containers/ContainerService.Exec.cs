using System.Collections.Concurrent;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

/// <summary>What `exec` asks to run (Docker's exec config, without a terminal).</summary>
public sealed record ExecConfig(List<string> Cmd, bool Stdin, List<string> Env, string? WorkingDir, string? User);

/// <summary>An exec instance: made by create, run once by start, then kept for its exit code (Docker's model).</summary>
public sealed class ExecSession(string id, string containerId, ExecConfig config)
{
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

public sealed partial class ContainerService
{
    /// <summary>Exec instances live in memory, as Docker's do: a daemon restart ends them (their runc exec dies with it).</summary>
    private readonly ConcurrentDictionary<string, ExecSession> _execs = new();
    private const int KeptExecs = 1_000;

    public async Task<ExecSession> CreateExecAsync(string idOrName, ExecConfig config, CancellationToken ct)
    {
        var view = await GetAsync(idOrName, ct);
        if (config.Cmd.Count == 0)
            throw EngineException.Invalid($"no command given; name what to run in '{view.Name}', e.g. 'mydocker exec {view.Name} sh'");
        if (view.Record.Phase != ContainerPhase.Running)
            throw EngineException.Conflict($"container '{view.Name}' is not running; start it first (mydocker start {view.Name})");
        if (_execs.Count >= KeptExecs)
            foreach (var done in _execs.Values.Where(e => e.Started && !e.Running).Take(_execs.Count - KeptExecs + 1).ToList())
                _execs.TryRemove(done.Id, out _);
        var session = new ExecSession(ContainerPlanner.NewId(), view.Id, config);
        _execs[session.Id] = session;
        events.Publish("container", "exec_create: " + string.Join(' ', config.Cmd), view.Id, Attributes(view.Record));
        return session;
    }

    public ExecSession GetExec(string execId) =>
        _execs.TryGetValue(execId, out var s) ? s : throw EngineException.NotFound($"no such exec instance: {execId}");

    /// <summary>Runs the exec instance in its container; the caller pumps its streams. Its exit code is kept on the session.</summary>
    public async Task<ExecProcess> StartExecAsync(string execId, CancellationToken ct)
    {
        var session = GetExec(execId);
        lock (session)
        {
            if (session.Started) throw EngineException.Conflict($"exec instance {execId[..12]} has already been started; create another");
            session.Started = true;
        }
        var view = await GetAsync(session.ContainerId, ct);
        if (view.Record.Phase != ContainerPhase.Running)
            throw EngineException.Conflict($"container '{view.Name}' is not running; start it first (mydocker start {view.Name})");
        var c = session.Config;
        string? user = null;
        if (!string.IsNullOrEmpty(c.User))
        {
            var u = UserLookup.Resolve(c.User, ContainerPaths.For(options, view.Id).Rootfs);
            user = $"{u.Uid}:{u.Gid}";
        }
        var process = await runtime.ExecAsync(view.Id, new ExecRequest(c.Cmd, c.Stdin, c.Env, c.WorkingDir, user), ct);
        session.Process = process;
        events.Publish("container", "exec_start: " + string.Join(' ', c.Cmd), view.Id, Attributes(view.Record));
        _ = process.Exited.ContinueWith(t =>
        {
            events.Publish("container", "exec_die", view.Id, Attributes(view.Record, ("execID", execId), ("exitCode", t.Result.ToString())));
        }, TaskScheduler.Default);
        return process;
    }

    /// <summary>Exec instances of a removed container go with it.</summary>
    private void ForgetExecs(string containerId)
    {
        foreach (var s in _execs.Values.Where(s => s.ContainerId == containerId).ToList()) _execs.TryRemove(s.Id, out _);
    }
}
