using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    private const int SigKill = 9, SigTerm = 15;

    /// <summary>Starts the container's process under a monitor. Returns false if it was already running (Docker's 304).
    /// A process that cannot start (no such command) leaves the container stopped with the error and exit code recorded,
    /// and throws <see cref="ContainerStartException"/>.</summary>
    public async Task<bool> StartAsync(string idOrName, CancellationToken ct = default)
    {
        resources.NoteActivity();
        string id = await IdOfAsync(idOrName, ct);
        var gate = operations.LockOf(id);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = state.Create();
            var record = await ResolveAsync(db, id, ct);
            if (record.Phase == ContainerPhase.Running) return false;
            if (record.Phase == ContainerPhase.Removing)
                throw EngineException.Conflict($"container '{record.Name}' is being removed; it cannot be started");
            var paths = resources.Paths(id);
            // A previous run's leftovers (exit file, stopped runc state) must not be mistaken for this run's. A container
            // that never ran has none, and skipping the two runc calls is a sixth of `run -d` — unless a start was cut
            // short between `runc create` and the Running record (a daemon crash): its runc container exists, and
            // `runc create` would fail on the id (the state directory is a cheap sign of that).
            if (record.StartedAt is not null || processes.Runtime.HasState(id))
            {
                await processes.Runtime.DeleteAsync(id, CancellationToken.None);
                processes.Runtime.ClearExit(id);
            }
            var spec = record.Spec;
            int pid;
            long? logSizeMax = spec.LogMaxSize is { } max ? Logs.LogConfigRules.ParseMaxSize(max, "--log-opt max-size") : null;
            var stdio = new StdioOptions(spec.Tty, spec.OpenStdin, spec.KeepStdinOpen, logSizeMax);
            try { pid = await processes.Runtime.CreateAsync(id, paths.Dir, paths.Log, stdio, CancellationToken.None); }
            catch (ContainerStartException e)
            {
                var failed = record with { Error = e.Reason, ExitCode = e.ExitCode, FinishedAt = DateTimeOffset.UtcNow };
                await db.UpdateContainerAsync(record, failed, CancellationToken.None);
                events.Publish(EngineEvents.ContainerDied(failed, e.ExitCode));
                processes.Attach.FailAll(id, e);
                throw;
            }
            CrashPoint.Hit("container-start:runc-created");
            var running = record with
            {
                Phase = ContainerPhase.Running, Pid = pid, MonitorPid = processes.Runtime.MonitorPid(id), StartedAt = DateTimeOffset.UtcNow,
                FinishedAt = null, ExitCode = null, Error = null, OomKilled = false,
            };
            await db.UpdateContainerAsync(record, running, CancellationToken.None);
            record = running;
            CrashPoint.Hit("container-start:created");
            processes.Attach.ConnectAll(id);
            try
            {
                // Published before the process runs, so its first answer can already be reached.
                PublishPorts(record);
                await processes.Runtime.StartAsync(id, CancellationToken.None);
                // Before `start` returns, so the name answers the moment it does (issue 13, "fresh").
                await PublishNamesAsync(db, record, CancellationToken.None);
            }
            catch (Exception e)
            {
                // runc made the process but could not let it run (or its ports or names could not be published): take it
                // down again and say why. Names need no undo: the table the resolver is given never holds an exited container.
                WithdrawPorts(record);
                await processes.Runtime.DeleteAsync(id, CancellationToken.None);
                processes.Runtime.ClearExit(id);
                await db.UpdateContainerAsync(record, RecordExit(record, 125, DateTimeOffset.UtcNow, oomKilled: false, error: e.Message), CancellationToken.None);
                throw;
            }
            logger.LogInformation("Started container {Container} ({Id}) pid {Pid}", record.Name, id[..12], pid);
            events.Publish(EngineEvents.ContainerStarted(record));
            return true;
        }
        finally { gate.Release(); }
    }

    /// <summary>The longest stop timeout the engine waits before SIGKILL (int.MaxValue ms, about 24.8 days: what every
    /// .NET timer accepts); longer ones are clamped to it. <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</summary>
    public static readonly TimeSpan MaxStopTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Sends SIGTERM, then SIGKILL after <paramref name="timeout"/> (Docker's default 10 s; infinite: never);
    /// returns when the exit is recorded. False if the container was not running (Docker's 304).</summary>
    public async Task<bool> StopAsync(string idOrName, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var view = await GetAsync(idOrName, ct);
        if (view.Container.Phase != ContainerPhase.Running) return false;
        using var sub = events.Subscribe();
        await processes.Runtime.KillAsync(view.Id, SigTerm, ct);
        events.Publish(EngineEvents.ContainerKilled(view.Container, SigTerm));
        var grace = timeout ?? TimeSpan.FromSeconds(10);
        if (grace != Timeout.InfiniteTimeSpan)
            grace = grace < TimeSpan.Zero ? TimeSpan.Zero : grace > MaxStopTimeout ? MaxStopTimeout : grace;
        if (await NextAsync(sub, view.Id, [EventAction.Die, EventAction.Destroy], grace, ct) is null)
        {
            await processes.Runtime.KillAsync(view.Id, SigKill, ct);
            events.Publish(EngineEvents.ContainerKilled(view.Container, SigKill));
            await NextAsync(sub, view.Id, [EventAction.Die, EventAction.Destroy], TimeSpan.FromSeconds(30), ct);
        }
        events.Publish(EngineEvents.ContainerStopped(view.Container));
        return true;
    }

    public async Task RestartAsync(string idOrName, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await StopAsync(idOrName, timeout, ct);
        await StartAsync(idOrName, ct);
        events.Publish(EngineEvents.ContainerRestarted(await IdOfAsync(idOrName, ct)));
    }

    public async Task KillAsync(string idOrName, int signal, CancellationToken ct = default)
    {
        var view = await GetAsync(idOrName, ct);
        if (view.Container.Phase != ContainerPhase.Running)
            throw EngineException.Conflict($"container '{view.Name}' is not running; start it first (mydocker start {view.Name})");
        await processes.Runtime.KillAsync(view.Id, signal, ct);
        events.Publish(EngineEvents.ContainerKilled(view.Container, signal));
    }

    /// <summary>Docker's wait: "not-running" returns at once for a stopped container; "next-exit" waits for the next exit;
    /// "removed" waits until the container is gone. Returns the exit code.</summary>
    public async Task<long> WaitAsync(string idOrName, string? condition, CancellationToken ct = default) =>
        await await BeginWaitAsync(idOrName, condition, ct);

    /// <summary>Checks the container and registers the waiter, then returns the wait itself: an exit that happens after
    /// this returns is never missed (the API sends its headers at this point, and the docker CLI starts the container
    /// only once it has them).</summary>
    public async Task<Task<long>> BeginWaitAsync(string idOrName, string? condition, CancellationToken ct = default)
    {
        condition = string.IsNullOrEmpty(condition) ? "not-running" : condition;
        if (condition is not ("not-running" or "next-exit" or "removed"))
            throw EngineException.Invalid($"wait condition '{condition}' is unknown; use not-running, next-exit or removed");
        var sub = events.Subscribe();
        try
        {
            var view = await GetAsync(idOrName, ct);
            return WaitForAsync(sub, view.Container, condition, ct);
        }
        catch
        {
            sub.Dispose();
            throw;
        }
    }

    private static async Task<long> WaitForAsync(EventHub.Subscription sub, Container record, string condition, CancellationToken ct)
    {
        using var _ = sub;
        if (condition == "not-running" && record.Phase != ContainerPhase.Running) return record.ExitCode ?? 0;
        long code = record.ExitCode ?? 0;
        while (await NextAsync(sub, record.Id, [EventAction.Die, EventAction.Destroy], Timeout.InfiniteTimeSpan, ct) is { } e)
        {
            if (e.Action == EventAction.Destroy) return code;
            code = e.ExitCode ?? 0;
            if (condition != "removed") return code;
        }
        return code;
    }

    /// <summary>Turns exit files written by the monitors into container state, for as long as the daemon runs. Exits that
    /// happened while the daemon was down are picked up first.</summary>
    public async Task RunExitLoopAsync(CancellationToken ct)
    {
        foreach (var id in processes.Exits.Rescan()) await HandleExitAsync(id);
        try
        {
            await foreach (var id in processes.Exits.Exits.ReadAllAsync(ct))
            {
                try { await HandleExitAsync(id); }
                catch (Exception e) { logger.LogError(e, "Recording the exit of container {Id} failed", id); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task HandleExitAsync(string id)
    {
        bool autoRemove;
        var gate = operations.LockOf(id);
        await gate.WaitAsync();
        try
        {
            await using var db = state.Create();
            var running = await db.FindContainerAsync(id);
            // Not ours, or already handled (rm -f deletes the runtime state itself): nothing to record.
            if (running is null || running.Phase != ContainerPhase.Running) return;
            if (processes.Runtime.ReadExit(id) is not { } exit) return;
            await processes.Runtime.DeleteAsync(id, CancellationToken.None);
            var record = RecordExit(running, exit.ExitCode, exit.FinishedAt, exit.OomKilled, error: null);
            await db.UpdateContainerAsync(running, record);
            // The exit is recorded whatever happens here; a mapping left behind is dropped by the firewall's next check,
            // which compares the kernel with what the engine holds.
            try { WithdrawPorts(record); }
            catch (Exception e) { logger.LogError(e, "Withdrawing the published ports of container {Id} failed", id); }
            // Before the die event, which is what `stop` waits for: the name stops answering the moment stop returns.
            try { await resources.WithdrawNamesAsync(id, CancellationToken.None); }
            catch (Exception e) { logger.LogError(e, "Withdrawing the names of container {Id} failed", id); }
            autoRemove = record.AutoRemove;
            logger.LogInformation("Container {Container} ({Id}) exited with {ExitCode}{Oom}", record.Name, id[..12], exit.ExitCode,
                exit.OomKilled ? " (out of memory)" : "");
            if (exit.OomKilled) events.Publish(EngineEvents.ContainerOutOfMemory(record));
            events.Publish(EngineEvents.ContainerDied(record, exit.ExitCode));
        }
        finally { gate.Release(); }
        if (autoRemove)
        {
            try { await RemoveAsync(id, force: true); }
            catch (EngineException e) when (e.Kind == ErrorKind.NotFound) { }
        }
    }

    /// <summary>The next event of <paramref name="actions"/> for the container, or null after <paramref name="timeout"/>.</summary>
    private static async Task<EngineEvent?> NextAsync(EventHub.Subscription sub, string id, EventAction[] actions, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan) cts.CancelAfter(timeout);
        try
        {
            while (await sub.Live.WaitToReadAsync(cts.Token))
                while (sub.Live.TryRead(out var e))
                    if (e.Kind == EventKind.Container && e.ActorId == id && actions.Contains(e.Action)) return e;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        return null;
    }
}
