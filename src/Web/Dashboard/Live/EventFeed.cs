using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Reads the engine's event stream for one page and hands it over in batches (<see cref="EventBatches"/>).
/// If the stream ends it resubscribes from the last event seen (no gap, no repeat) and reports the state, which the
/// page shows as live / reconnecting. Callbacks run on the feed's own task, one at a time; dispose to stop.
/// Events <c>relevant</c> says no to never reach the page.
/// </summary>
public sealed class EventFeed(IDashboardEngine engine, TimeSpan window, TimeProvider? time = null, Func<EngineEvent, bool>? relevant = null)
    : FeedLoop(time ?? TimeProvider.System)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Always null: a broken stream is only reported as <see cref="FeedState.Reconnecting"/>.</summary>
    public override string? Error => null;

    /// <summary>Starts reading: first the history since <paramref name="sinceNano"/> (null: none) as one batch, then live
    /// batches. <paramref name="onBatch"/> is also called with an empty batch when only the state changed. A broken stream
    /// is resubscribed from the last event seen.</summary>
    public void Start(long? sinceNano, Func<IReadOnlyList<EngineEvent>, Task> onBatch)
    {
        long? since = sinceNano;
        Run(async ct =>
        {
            using var sub = engine.SubscribeEvents(since);
            MarkLive();
            await onBatch(sub.History);
            if (sub.History.Count > 0) since = sub.History[^1].TimeNano + 1;
            await foreach (var batch in EventBatches.ReadAsync(sub.Live, window, _time, relevant, e => since = e.TimeNano + 1, ct))
                await onBatch(batch);
        }, () => onBatch([]));
    }
}
