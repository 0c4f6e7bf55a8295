using System.Net.Sockets;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// A connection to the container's stdio through its monitor: at once for a running container, otherwise when it is
    /// next started (<see cref="AttachWaiters"/>).
    /// </summary>
    public async Task<Socket> AttachStdioAsync(string idOrName, CancellationToken ct)
    {
        string id = await IdOfAsync(idOrName, ct);
        var waiter = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = operations.LockOf(id);
        await gate.WaitAsync(ct);
        try
        {
            await using var db = state.Create();
            var record = await ResolveAsync(db, id, ct);
            if (record.Phase == ContainerPhase.Running) return processes.Attach.Connect(id);
            processes.Attach.Add(id, waiter);
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
        if (!record.Spec.Tty) return;
        if (record.Phase != ContainerPhase.Running || !processes.Runtime.Resize(resources.Paths(record.Id).Dir, height, width))
            throw EngineException.Conflict($"container '{record.Name}' is not running; start it before resizing its terminal");
    }
}
