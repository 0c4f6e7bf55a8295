using System.Threading.Channels;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>
/// Follows one log for one viewer and hands the new lines over in batches, at most one per <c>window</c> (~100 ms), like
/// <see cref="Live.EventFeed"/>: lines after a quiet window go out at once, what follows within the window is gathered
/// into one call. A container printing as fast as it can thus costs the circuit ≤ 10 renders a second. Reading is throttled
/// by a small bounded queue, so a slow circuit slows the file reader instead of filling memory.
/// Callbacks run on the follower's own task, one at a time; dispose to stop.
/// </summary>
public sealed class LogFollower(IDashboardLogs logs, TimeSpan window, TimeProvider? time = null) : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Starts following <paramref name="container"/> from offset <paramref name="from"/>. <paramref name="onEnd"/>
    /// is called once when following ends by itself: with null when the container is gone, or with the error.</summary>
    public void Start(string container, long from, Func<IReadOnlyList<LogLine>, Task> onBatch, Func<Exception?, Task> onEnd)
    {
        var queue = Channel.CreateBounded<IReadOnlyList<LogLine>>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var ct = _stop.Token;
        _ = Task.Run(async () =>
        {
            Exception? error = null;
            try { await foreach (var batch in logs.FollowAsync(container, from, ct)) await queue.Writer.WriteAsync(batch, ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            catch (Exception e) { error = e; }
            queue.Writer.TryComplete(error);
        }, ct);
        _ = Task.Run(() => DeliverAsync(queue.Reader, onBatch, onEnd, ct), ct);
    }

    private async Task DeliverAsync(ChannelReader<IReadOnlyList<LogLine>> queue, Func<IReadOnlyList<LogLine>, Task> onBatch, Func<Exception?, Task> onEnd, CancellationToken ct)
    {
        Exception? error = null;
        try
        {
            DateTimeOffset? last = null;
            while (await queue.WaitToReadAsync(ct))
            {
                if (last is { } l && l + window - _time.GetUtcNow() is { Ticks: > 0 } rest) await Task.Delay(rest, _time, ct);
                var batch = new List<LogLine>();
                // At most the queue's 8 reads plus the one in flight: bounded. The window keeps only its capacity of them,
                // and it alone can tell that older lines were skipped (it then offers "load older").
                while (queue.TryRead(out var lines)) batch.AddRange(lines);
                last = _time.GetUtcNow();
                await onBatch(batch);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        catch (Exception e) { error = e; }
        if (error is null && queue.Completion.IsFaulted) error = queue.Completion.Exception?.InnerException;
        try { await onEnd(error); } catch (Exception) { /* the page is gone */ }
    }

    /// <summary>Stops without waiting (the viewer disposes it on its dispatcher, which a batch in flight may wait for).</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }
}
