using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Clients waiting for a container's stdio, connected by <see cref="StartAsync"/> between runc create and
    /// runc start, so they see the process's first byte of output and it sees their first byte of input.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentBag<TaskCompletionSource<Socket>>> _attachWaiters = new();

    /// <summary>
    /// A connection to the container's stdio through its monitor (conmon's attach socket; see
    /// <see cref="Runtime.ContainerRuntime.ConnectAttach"/>): at once for a running container, otherwise when it is
    /// next started. Docker's clients attach before they start (`run -it`), which is why a waiter is held.
    /// </summary>
    public async Task<Socket> AttachStdioAsync(string idOrName, CancellationToken ct)
    {
        string id = await IdOfAsync(idOrName, ct);
        var waiter = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = LockOf(id);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = state.Create();
            var record = await ResolveAsync(db, id, ct);
            if (record.Phase == ContainerPhase.Running) return runtime.ConnectAttach(id);
            _attachWaiters.GetOrAdd(id, _ => []).Add(waiter);
        }
        finally { gate.Release(); }
        using var _ = ct.Register(() => waiter.TrySetCanceled(ct));
        return await waiter.Task;
    }

    /// <summary>Resizes a terminal container's pty (Docker's POST /containers/{id}/resize). Ignored for a container
    /// without a terminal, as Docker does; refused for one that is not running.</summary>
    public async Task ResizeAsync(string idOrName, int height, int width, CancellationToken ct)
    {
        if (height is < 0 or > 10_000 || width is < 0 or > 10_000)
            throw EngineException.Invalid($"terminal size {height}x{width} is out of range; give h and w between 1 and 10000");
        if (height == 0 || width == 0) return; // a client without a terminal size (the docker CLI sends 0x0 then)
        await using var db = state.Create();
        var record = await ResolveAsync(db, idOrName, ct);
        var spec = JsonSerializer.Deserialize<ContainerSpec>(record.SpecJson) ?? new ContainerSpec();
        if (!spec.Tty) return;
        if (record.Phase != ContainerPhase.Running || !runtime.Resize(ContainerPaths.For(options, record.Id).Dir, height, width))
            throw EngineException.Conflict($"container '{record.Name}' is not running; start it before resizing its terminal");
    }

    /// <summary>Hands every waiting client its connection (called with the container's monitor up, its process not yet
    /// running). A client that gave up meanwhile gets nothing; one whose connection fails gets the error.</summary>
    private void ConnectAttachWaiters(string id)
    {
        if (!_attachWaiters.TryRemove(id, out var waiters)) return;
        foreach (var waiter in waiters)
        {
            if (waiter.Task.IsCompleted) continue;
            try
            {
                var socket = runtime.ConnectAttach(id);
                if (!waiter.TrySetResult(socket)) socket.Dispose();
            }
            catch (Exception e) { waiter.TrySetException(e); }
        }
    }

    /// <summary>Tells waiting clients the container will not run now (its start failed, or it was removed).</summary>
    private void FailAttachWaiters(string id, Exception why)
    {
        if (!_attachWaiters.TryRemove(id, out var waiters)) return;
        foreach (var waiter in waiters) waiter.TrySetException(why);
    }
}
