using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

public enum FeedState { Connecting, Live, Reconnecting, Stopped }

/// <summary>
/// Reads the engine's event stream for one page and hands it over in batches, at most one per <c>window</c> (~100 ms):
/// an event after a quiet window is handed over at once, and what follows within the window is gathered into one call,
/// so a burst of events costs one render per window, not one each.
/// If the stream ends it resubscribes from the last event seen (no gap, no repeat) and reports the state, which the
/// page shows as live / reconnecting. Callbacks run on the feed's own task, one at a time; dispose to stop.
/// Events <c>relevant</c> says no to are dropped before batching: they neither reach the page nor open a window, so a
/// `stop`'s "kill" does not hold back the "die" that follows it by a window (bench/dashboard-latency.sh containers).
/// </summary>
public sealed class EventFeed(IDashboardEngine engine, TimeSpan window, TimeProvider? time = null, Func<EngineEvent, bool>? relevant = null) : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Task _loop = Task.CompletedTask;

    public FeedState State { get; private set; } = FeedState.Connecting;

    /// <summary>Starts reading: first the history since <paramref name="sinceNano"/> (null: none) as one batch, then live
    /// batches. <paramref name="onBatch"/> is also called with an empty batch when only the state changed.</summary>
    public void Start(long? sinceNano, Func<IReadOnlyList<EngineEvent>, Task> onBatch) =>
        _loop = Task.Run(() => RunAsync(sinceNano, onBatch, _stop.Token));

    private async Task RunAsync(long? since, Func<IReadOnlyList<EngineEvent>, Task> onBatch, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var sub = engine.SubscribeEvents(since);
                State = FeedState.Live;
                await onBatch(sub.History);
                if (sub.History.Count > 0) since = sub.History[^1].TimeNano + 1;
                var batch = new List<EngineEvent>();
                DateTimeOffset? last = null;
                while (await sub.Live.WaitToReadAsync(ct))
                {
                    // Leading edge: an event after a quiet window goes out at once; events that follow within the window
                    // of the last batch wait for its end and go out together. A burst costs one render per window, and a
                    // single change is not held back a whole window (bench/dashboard-latency.sh; README "Figures").
                    if (last is { } l && l + window - _time.GetUtcNow() is { Ticks: > 0 } rest) await Task.Delay(rest, _time, ct);
                    while (sub.Live.TryRead(out var e))
                    {
                        since = e.TimeNano + 1;
                        if (relevant?.Invoke(e) != false) batch.Add(e);
                    }
                    if (batch.Count == 0) continue;
                    last = _time.GetUtcNow();
                    await onBatch(batch);
                    batch = [];
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception) { /* the stream broke: report it, then resubscribe from the last event seen */ }
            if (ct.IsCancellationRequested) break;
            State = FeedState.Reconnecting;
            try { await onBatch([]); await Task.Delay(TimeSpan.FromSeconds(1), _time, ct); }
            catch (OperationCanceledException) { break; }
            catch (Exception) { }
        }
        State = FeedState.Stopped;
    }

    /// <summary>Stops the feed without waiting for its task: the page disposes it on the circuit's dispatcher, which a
    /// batch in flight may be waiting for (InvokeAsync), so waiting here could deadlock.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }
}
