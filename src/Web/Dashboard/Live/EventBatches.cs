using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// The engine's live events in batches, at most one per <c>window</c> (~100 ms): an event after a quiet window is handed
/// over at once, and what follows within the window is gathered into one batch, so a burst costs one read and one render
/// per window, not one each. Events <c>relevant</c> says no to are dropped before batching: they neither open a window
/// nor hold one back, so a `stop`'s "kill" does not delay the "die" that follows it (bench/dashboard-latency.sh
/// containers). Ends when the stream ends.
/// </summary>
public static class EventBatches
{
    /// <param name="read">Told of every event read, relevant or not (where a resubscription starts again).</param>
    public static async IAsyncEnumerable<IReadOnlyList<EngineEvent>> ReadAsync(
        ChannelReader<EngineEvent> live, TimeSpan window, TimeProvider time, Func<EngineEvent, bool>? relevant,
        Action<EngineEvent>? read, [EnumeratorCancellation] CancellationToken ct)
    {
        var batch = new List<EngineEvent>();
        DateTimeOffset? last = null;
        while (await live.WaitToReadAsync(ct))
        {
            // Leading edge: an event after a quiet window goes out at once; events that follow within the window of the
            // last batch wait for its end and go out together. A single change is not held back a whole window
            // (bench/dashboard-latency.sh; README "Figures").
            if (last is { } l && l + window - time.GetUtcNow() is { Ticks: > 0 } rest) await Task.Delay(rest, time, ct);
            while (live.TryRead(out var e))
            {
                read?.Invoke(e);
                if (relevant?.Invoke(e) != false) batch.Add(e);
            }
            if (batch.Count == 0) continue;
            last = time.GetUtcNow();
            yield return batch;
            batch = [];
        }
    }
}
