using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.Engine.Networks.Bridge;

/// <summary>
/// Deletes retired devices off the request path. Deleting a device waits in unregister_netdevice for RCU grace periods
/// (30–50 ms for a bridge on this kind of machine, ~17 ms for a veth, ../shared/FACTS.md) — more than all the rest of
/// `network rm`. A retired device is already inert (no address, no route, no firewall elements) and keeps its engine
/// alias until it is gone, so if the daemon dies first the reconciler removes it as an orphan at the next start.
/// The deletion also holds the RTNL lock for part of that time, which would stall a create running at the same moment,
/// so the reaper waits for a quiet moment (no engine request for <see cref="QuietPeriod"/>), but never longer than
/// <see cref="MaxDelay"/>. One consumer, in order; <see cref="DisposeAsync"/> finishes the queue at once (clean stop).
/// </summary>
public sealed class LinkReaper : IAsyncDisposable
{
    private readonly IRtNetlink _netlink;
    private readonly ILogger<LinkReaper> _logger;
    private readonly Channel<(string Name, Func<LinkInfo, bool> StillOurs, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(string, Func<LinkInfo, bool>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Task> _pending = new();
    private readonly Task _worker;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _quietPeriod;
    private long _lastActivity = Environment.TickCount64;

    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1);

    public LinkReaper(IRtNetlink netlink, ILogger<LinkReaper> logger) : this(netlink, logger, QuietPeriod) { }

    /// <param name="quietPeriod">How long no engine request must have run before a deletion (<see cref="QuietPeriod"/>
    /// in the daemon). Unit tests over a fake netlink pass zero: there is no RTNL lock to spare, only time to lose.</param>
    public LinkReaper(IRtNetlink netlink, ILogger<LinkReaper> logger, TimeSpan quietPeriod)
    {
        _netlink = netlink;
        _logger = logger;
        _quietPeriod = quietPeriod;
        _worker = Task.Run(WorkAsync);
    }

    /// <summary>Queues <paramref name="name"/> for deletion; <paramref name="stillOurs"/> is checked again just before,
    /// so a device that was replaced meanwhile by one we do not own is never deleted.</summary>
    public void Retire(string name, Func<LinkInfo, bool> stillOurs)
    {
        NoteActivity();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[name] = done.Task;
        if (!_queue.Writer.TryWrite((name, stillOurs, done)))
        {
            // Shutting down: delete inline rather than leave it for the next start.
            Delete(name, stillOurs);
            done.TrySetResult();
        }
    }

    /// <summary>An engine request is running: deletions wait until things are quiet again.</summary>
    public void NoteActivity() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    /// <summary>Completes when a retired device of that name is gone (at once if none is pending).</summary>
    public Task WaitForAsync(string name) => _pending.TryGetValue(name, out var t) ? t : Task.CompletedTask;

    /// <summary>Completes when every device retired so far is gone.</summary>
    public Task DrainAsync() => Task.WhenAll(_pending.Values);

    private async Task WorkAsync()
    {
        await foreach (var (name, stillOurs, done) in _queue.Reader.ReadAllAsync())
        {
            long queuedAt = Environment.TickCount64;
            while (!_stopping.IsCancellationRequested
                   && Environment.TickCount64 - Volatile.Read(ref _lastActivity) < _quietPeriod.TotalMilliseconds
                   && Environment.TickCount64 - queuedAt < MaxDelay.TotalMilliseconds)
            {
                try { await Task.Delay(_quietPeriod / 4, _stopping.Token); } catch (OperationCanceledException) { }
            }
            Delete(name, stillOurs);
            _pending.TryRemove(new KeyValuePair<string, Task>(name, done.Task));
            done.TrySetResult();
        }
    }

    private void Delete(string name, Func<LinkInfo, bool> stillOurs)
    {
        try
        {
            var link = _netlink.GetLink(name);
            if (link is not null && stillOurs(link)) _netlink.DeleteLink(name);
        }
        catch (Exception e)
        {
            // Not lost: the device still carries our alias and no record, so the reconciler deletes it.
            _logger.LogWarning(e, "Deleting retired device {Device} failed; the reconciler will remove it", name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        await _worker;
    }
}
