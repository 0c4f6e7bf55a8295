using System.Collections.Immutable;

namespace MyDocker.Web.Dashboard.Live;

public enum FeedState { Connecting, Live, Reconnecting, Stopped }

/// <summary>A page's live feed as <see cref="LiveComponent"/> sees it: its state and why it last broke.</summary>
public interface ILiveFeed : IAsyncDisposable
{
    FeedState State { get; }
    /// <summary>Why the feed last failed to read (null: it did not, or it is live again), in the engine's words.</summary>
    string? Error { get; }
}

/// <summary>
/// Keeps one page on a <see cref="LiveSubscription{T}"/>: hands over the snapshot, then each batch of changes; when the
/// changes end (the engine's stream broke) or the snapshot cannot be read, it reports the state and, a second later,
/// watches again, whose snapshot replaces what the page holds (changes in between are not lost, only folded into it).
/// Callbacks run on the feed's own task, one at a time; dispose to stop.
/// </summary>
public sealed class WatchFeed<T>(Func<CancellationToken, Task<LiveSubscription<T>>> watch, TimeProvider time) : ILiveFeed
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public FeedState State { get; private set; } = FeedState.Connecting;
    public string? Error { get; private set; }

    /// <summary>Starts watching. <paramref name="onState"/> is called when only the state changed.</summary>
    public void Start(Func<ImmutableArray<T>, Task> onInitial, Func<IReadOnlyList<Change<T>>, Task> onChanges, Func<Task> onState) =>
        _loop = Task.Run(() => RunAsync(onInitial, onChanges, onState, _stop.Token));

    private async Task RunAsync(Func<ImmutableArray<T>, Task> onInitial, Func<IReadOnlyList<Change<T>>, Task> onChanges, Func<Task> onState, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var sub = await watch(ct);
                State = FeedState.Live;
                Error = null;
                await onInitial(sub.Initial);
                await foreach (var changes in sub.Changes.WithCancellation(ct)) await onChanges(changes);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) { Error = e.Message; /* report it, then watch again */ }
            if (ct.IsCancellationRequested) break;
            State = FeedState.Reconnecting;
            // The pause starts before the page shows "reconnecting": a clock moved on what the page shows (a test's
            // FakeTimeProvider) would otherwise move before the pause exists, and the pause would never end.
            var pause = Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            try { await onState(); await pause; }
            catch (OperationCanceledException) { break; }
            catch (Exception) { }
        }
        State = FeedState.Stopped;
    }

    /// <summary>Stops without waiting for the feed's task (see <see cref="EventFeed.DisposeAsync"/>).</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }
}
