using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Reads the engine's event stream for one page and hands it over in batches (<see cref="EventBatches"/>).
/// If the stream ends it resubscribes from the last event seen (no gap, no repeat) and reports the state, which the
/// page shows as live / reconnecting. Callbacks run on the feed's own task, one at a time; dispose to stop.
/// Events <c>relevant</c> says no to never reach the page.
/// </summary>
public sealed class EventFeed(IDashboardEngine engine, TimeSpan window, TimeProvider? time = null, Func<EngineEvent, bool>? relevant = null) : ILiveFeed
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Task _loop = Task.CompletedTask;

    public FeedState State { get; private set; } = FeedState.Connecting;

    /// <summary>Always null: a broken stream is only reported as <see cref="FeedState.Reconnecting"/>.</summary>
    public string? Error => null;

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
                await foreach (var batch in EventBatches.ReadAsync(sub.Live, window, _time, relevant, e => since = e.TimeNano + 1, ct))
                    await onBatch(batch);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception) { /* the stream broke: report it, then resubscribe from the last event seen */ }
            if (ct.IsCancellationRequested) break;
            State = FeedState.Reconnecting;
            // The pause starts before the page shows "reconnecting": a clock moved on what the page shows (a test's
            // FakeTimeProvider) would otherwise move before the pause exists, and the pause would never end.
            var pause = Task.Delay(TimeSpan.FromSeconds(1), _time, ct);
            try { await onBatch([]); await pause; }
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
