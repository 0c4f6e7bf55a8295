using System.Collections.Concurrent;

namespace MyDocker.Engine.Containers;

/// <summary>
/// Exec instances in memory, as Docker keeps them: a daemon restart ends them (their runc exec dies with it). Bounded
/// both ways a client can grow it: instances created and never started go after <see cref="UnstartedTtl"/>, finished
/// ones beyond <see cref="KeptFinished"/> go oldest first. Eviction runs on each add, so the store is bounded by the
/// rate of creates times the TTL without a timer of its own. Thread-safe.
/// </summary>
public sealed class ExecStore(TimeProvider time)
{
    /// <summary>How long a created exec instance waits for its start (the docker CLI starts it within milliseconds).</summary>
    public static readonly TimeSpan UnstartedTtl = TimeSpan.FromMinutes(5);
    /// <summary>Finished instances kept for their exit code (docker CLI inspects right after the stream ends).</summary>
    public const int KeptFinished = 1_000;

    private readonly ConcurrentDictionary<string, ExecSession> _sessions = new();

    public int Count => _sessions.Count;

    public ExecSession Add(string containerId, ExecConfig config)
    {
        Evict();
        var session = new ExecSession(ContainerPlanner.NewId(), containerId, config, time.GetUtcNow());
        _sessions[session.Id] = session;
        return session;
    }

    public ExecSession Get(string execId) =>
        _sessions.TryGetValue(execId, out var s) ? s : throw EngineException.NotFound($"no such exec instance: {execId}");

    /// <summary>Exec instances of a removed container go with it.</summary>
    public void ForgetContainer(string containerId)
    {
        foreach (var s in _sessions.Values.Where(s => s.ContainerId == containerId).ToList()) _sessions.TryRemove(s.Id, out _);
    }

    private void Evict()
    {
        var now = time.GetUtcNow();
        foreach (var s in _sessions.Values.Where(s => !s.Started && now - s.Created > UnstartedTtl).ToList())
            _sessions.TryRemove(s.Id, out _);
        var finished = _sessions.Values.Where(s => s.Started && !s.Running).ToList();
        if (finished.Count >= KeptFinished)
            foreach (var s in finished.OrderBy(s => s.Created).Take(finished.Count - KeptFinished + 1))
                _sessions.TryRemove(s.Id, out _);
    }
}
