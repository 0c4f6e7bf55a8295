using System.Collections.Concurrent;

namespace MyDocker.Engine.Containers;

/// <summary>
/// The container operations this process has under way, shared by <see cref="ContainerService"/> and the reconciler:
/// one lock per container, so operations on one container are serialised while different containers proceed in
/// parallel, and the set of containers being created or removed, whose Creating/Removing phase is therefore not drift
/// a crash left behind. Thread-safe.
/// </summary>
public sealed class OperationRegistry
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<string, byte> _busy = new();

    /// <summary>The container's lock; made on first use, dropped by <see cref="Forget"/>.</summary>
    public SemaphoreSlim LockOf(string id) => _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));

    /// <summary>Marks the container as being created or removed by this process until the result is disposed.</summary>
    public IDisposable Busy(string id)
    {
        _busy[id] = 0;
        return new Mark(this, id);
    }

    /// <summary>True while this process creates or removes the container (set before it makes anything).</summary>
    public bool IsBusy(string id) => _busy.ContainsKey(id);

    /// <summary>The container is gone: its lock goes with it.</summary>
    public void Forget(string id) => _locks.TryRemove(id, out _);

    private sealed class Mark(OperationRegistry registry, string id) : IDisposable
    {
        public void Dispose() => registry._busy.TryRemove(id, out _);
    }
}
