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
/// The loop every feed runs: a session (subscribe, hand over, follow) until it ends or fails, then "reconnecting" and a
/// second's pause, then a new session. Callbacks run on the loop's own task, one at a time; dispose to stop.
/// </summary>
public abstract class FeedLoop(TimeProvider time) : ILiveFeed
{
    private readonly CancellationTokenSource _stop = new();

    public FeedState State { get; private set; } = FeedState.Connecting;
    public abstract string? Error { get; }

    /// <summary>Starts the loop. <paramref name="onState"/> is called when only the state changed.</summary>
    protected void Run(Func<CancellationToken, Task> session, Func<Task> onState) =>
        _ = Task.Run(() => LoopAsync(session, onState, _stop.Token));

    /// <summary>The session is subscribed: called by it before it hands anything over.</summary>
    protected virtual void MarkLive() => State = FeedState.Live;

    /// <summary>The session failed with <paramref name="e"/> (not a stop); the loop goes on.</summary>
    protected virtual void OnBroken(Exception e) { }

    private async Task LoopAsync(Func<CancellationToken, Task> session, Func<Task> onState, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await session(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) { OnBroken(e); }
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

    /// <summary>Stops the feed without waiting for its task: the page disposes it on the circuit's dispatcher, which a
    /// batch in flight may be waiting for (InvokeAsync), so waiting here could deadlock.</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        return ValueTask.CompletedTask;
    }
}
