using System.Text;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// runc and conmon in memory: the containers the runtime knows with their status ("created", "running", "stopped") and
/// the exit records their monitors wrote, with runc's rules: a start needs a created container; SIGKILL or SIGTERM ends
/// the process and its monitor records 128+signal; delete kills a live one first (its exit is recorded and kept) and
/// forgets the container; an unknown id is already deleted. <see cref="Dump"/> prints the state for golden comparisons.
/// <see cref="Fail"/> makes one call throw as the runtime does, having changed nothing. Thread-safe (one lock).
/// </summary>
public sealed class FakeOciRuntime(RuntimeOptions options) : IOciRuntime
{
    private const int SigKill = 9, SigTerm = 15;

    private sealed record Container(string Status, int Pid, string Bundle);

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Container> _containers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, ExitInfo> _exits = new(StringComparer.Ordinal);
    private readonly List<(string Method, string? Id)> _failures = [];
    private int _nextPid = 1000;

    public RuntimeOptions Options => options;

    /// <summary>Makes the next call of <paramref name="method"/> (an <see cref="IOciRuntime"/> method name) for
    /// <paramref name="id"/> (null: any) fail, once.</summary>
    public FakeOciRuntime Fail(string method, string? id = null)
    {
        lock (_gate) _failures.Add((method, id));
        return this;
    }

    /// <summary>The container's process ends by itself with <paramref name="exitCode"/>; its monitor records it.</summary>
    public void Exit(string id, int exitCode)
    {
        lock (_gate) EndLocked(id, exitCode);
    }

    /// <summary>The container, its process and its monitor vanish without an exit record (the host rebooted: runc's state
    /// is on a tmpfs).</summary>
    public void Vanish(string id)
    {
        lock (_gate) _containers.Remove(id);
    }

    public Task<int> CreateAsync(string id, string bundleDir, string logPath, StdioOptions stdio, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(CreateAsync), id, e => new ContainerStartException(id, e, 127));
            _exits.Remove(id);
            if (_containers.ContainsKey(id)) throw new ContainerStartException(id, $"container with id exists: {id}", 125);
            int pid = _nextPid++;
            _containers[id] = new Container("created", pid, bundleDir);
            return Task.FromResult(pid);
        }
    }

    public Task StartAsync(string id, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(StartAsync), id);
            if (!_containers.TryGetValue(id, out var c) || c.Status != "created")
                throw new EngineException(ErrorKind.Internal, $"cannot start container {id}: cannot start a container that is {c?.Status ?? "gone"}");
            _containers[id] = c with { Status = "running" };
            return Task.CompletedTask;
        }
    }

    public Task KillAsync(string id, int signal, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(KillAsync), id);
            if (signal is SigKill or SigTerm) EndLocked(id, 128 + signal);
            return Task.CompletedTask;
        }
    }

    public Task DeleteAsync(string id, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(DeleteAsync), id);
            EndLocked(id, 128 + SigKill);
            _containers.Remove(id);
            return Task.CompletedTask;
        }
    }

    public bool HasState(string id)
    {
        lock (_gate) return _containers.ContainsKey(id);
    }

    public Task<RuntimeState?> StateAsync(string id, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(StateAsync), id);
            return Task.FromResult(_containers.TryGetValue(id, out var c) ? new RuntimeState(id, c.Status, c.Pid, c.Bundle, null) : null);
        }
    }

    public int? MonitorPid(string id)
    {
        lock (_gate) return _containers.TryGetValue(id, out var c) && c.Status != "stopped" ? c.Pid + 1 : null;
    }

    public ExitInfo? ReadExit(string id)
    {
        lock (_gate) return _exits.GetValueOrDefault(id);
    }

    public void ClearExit(string id)
    {
        lock (_gate) _exits.Remove(id);
    }

    public bool Resize(string bundleDir, int height, int width)
    {
        lock (_gate) return _containers.Values.Any(c => c.Bundle == bundleDir && c.Status == "running");
    }

    public Task<IReadOnlyList<string>> RemoveOrphansAsync(Func<string, bool> isLive, CancellationToken ct)
    {
        lock (_gate)
        {
            Enter(nameof(RemoveOrphansAsync), null);
            var removed = _containers.Keys.Concat(_exits.Keys).Distinct().Order(StringComparer.Ordinal).Where(id => !isLive(id)).ToList();
            foreach (var id in removed)
            {
                _containers.Remove(id);
                _exits.Remove(id);
            }
            return Task.FromResult<IReadOnlyList<string>>(removed);
        }
    }

    /// <summary>One line per id the runtime has anything of, by id: its first 12 characters, the status ("-" when only an
    /// exit record is left), then "exit N" when one is recorded. Empty when the runtime holds nothing.</summary>
    public string Dump()
    {
        lock (_gate)
        {
            var b = new StringBuilder();
            foreach (var id in _containers.Keys.Concat(_exits.Keys).Distinct().Order(StringComparer.Ordinal))
            {
                b.Append(id[..Math.Min(12, id.Length)]).Append(' ').Append(_containers.TryGetValue(id, out var c) ? c.Status : "-");
                if (_exits.TryGetValue(id, out var exit)) b.Append(" exit ").Append(exit.ExitCode);
                b.Append('\n');
            }
            return b.ToString();
        }
    }

    private void EndLocked(string id, int exitCode)
    {
        if (!_containers.TryGetValue(id, out var c) || c.Status == "stopped") return;
        _containers[id] = c with { Status = "stopped" };
        _exits[id] = new ExitInfo(exitCode, DateTimeOffset.UnixEpoch, OomKilled: false);
    }

    /// <summary>Throws the failure armed for this call, if any (once).</summary>
    private void Enter(string method, string? id, Func<string, Exception>? error = null)
    {
        int at = _failures.FindIndex(f => f.Method == method && (f.Id is null || f.Id == id));
        if (at < 0) return;
        _failures.RemoveAt(at);
        string message = $"injected failure at {method}";
        throw error?.Invoke(message) ?? new EngineException(ErrorKind.Internal, $"cannot {method} container {id}: {message}");
    }
}
