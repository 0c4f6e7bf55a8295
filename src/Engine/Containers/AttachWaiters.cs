using System.Collections.Concurrent;
using System.Net.Sockets;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.Engine.Containers;

/// <summary>
/// Clients waiting for a container's stdio, connected by <see cref="ContainerService.StartAsync"/> between runc create
/// and runc start, so they see the process's first byte of output and it sees their first byte of input. Docker's
/// clients attach before they start (`run -it`), which is why a waiter is held. Thread-safe.
/// </summary>
public sealed class AttachWaiters(ContainerRuntime runtime)
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<TaskCompletionSource<Socket>>> _waiters = new();

    /// <summary>A connection to the running container's stdio through its monitor (conmon's attach socket; see
    /// <see cref="ContainerRuntime.ConnectAttach"/>).</summary>
    public Socket Connect(string id) => runtime.ConnectAttach(id);

    /// <summary>Holds a waiter until the container's next start (<see cref="ConnectAll"/>) or failure
    /// (<see cref="FailAll"/>). Call with the container's lock held, so a start cannot slip in between.</summary>
    public void Add(string id, TaskCompletionSource<Socket> waiter) => _waiters.GetOrAdd(id, _ => []).Add(waiter);

    /// <summary>Hands every waiting client its connection (called with the container's monitor up, its process not yet
    /// running). A client that gave up meanwhile gets nothing; one whose connection fails gets the error.</summary>
    public void ConnectAll(string id)
    {
        if (!_waiters.TryRemove(id, out var waiters)) return;
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
    public void FailAll(string id, Exception why)
    {
        if (!_waiters.TryRemove(id, out var waiters)) return;
        foreach (var waiter in waiters) waiter.TrySetException(why);
    }
}
