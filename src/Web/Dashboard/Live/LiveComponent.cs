using System.Collections.Immutable;
using Microsoft.AspNetCore.Components;
using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// A component that shows engine state kept current by the engine. It owns the page's feed, either rows with their
/// changes (<see cref="StartWatch"/>, a <see cref="WatchFeed{T}"/>) or the raw events (<see cref="StartFeed"/>, an
/// <see cref="EventFeed"/>), with its clock from DI so tests run it on a fake one, the <see cref="LiveState"/> the page
/// shows, the rule for a feed that comes (back) live, and disposal; the page says only what it watches and how it shows
/// it. The page's own methods below run on its dispatcher, one at a time.
/// </summary>
public abstract class LiveComponent : ComponentBase, IAsyncDisposable
{
    [Inject] private IDashboardEngine FeedEngine { get; set; } = null!;
    [Inject] private TimeProvider FeedClock { get; set; } = null!;
    private ILiveFeed? _feed;

    /// <summary>The feed's state as of the last batch handed to the page (what <c>ConnectionIndicator</c> shows).</summary>
    protected FeedState LiveState { get; private set; } = FeedState.Connecting;

    /// <summary>Why the feed last failed to read, in the engine's words (null while live).</summary>
    protected string? LiveError { get; private set; }

    /// <summary>True once the page has had its first snapshot (<see cref="OnLiveAsync"/>, or a watch's initial rows): it
    /// shows what it read, not "loading".</summary>
    protected bool Loaded { get; private set; }

    /// <summary>Whether the component shows <see cref="LiveState"/>, so a change of it alone is worth a render. A form
    /// that only re-checks its input says no: a render it did not ask for would swap its buttons' handlers under a
    /// click. Such a component is not told of empty batches, so <see cref="LiveState"/> and <see cref="Loaded"/> change
    /// for it only with its first events.</summary>
    protected virtual bool ShowsLiveState => true;

    /// <summary>Subscribes: history since <paramref name="sinceNano"/> (null: none), then live batches of the events
    /// <paramref name="relevant"/> keeps (null: all). Call once, from OnInitialized.</summary>
    protected void StartFeed(Func<EngineEvent, bool>? relevant = null, long? sinceNano = null)
    {
        var feed = new EventFeed(FeedEngine, EventFeed.DefaultWindow, FeedClock, relevant);
        _feed = feed;
        feed.Start(sinceNano, batch => DispatchAsync(batch.Count == 0, cameLive => cameLive ? OnLiveAsync(batch) : OnEventsAsync(batch)));
    }

    /// <summary>Watches rows (<see cref="IDashboardEngine.WatchContainersAsync"/>, <see cref="IDashboardEngine.WatchNetworksAsync"/>):
    /// <paramref name="onInitial"/> gets each snapshot (the first, and again after the feed broke), <paramref name="onChanges"/>
    /// each batch of changes; each returns false when nothing shown changed. Call once, from OnInitialized.</summary>
    protected void StartWatch<T>(Func<IDashboardEngine, CancellationToken, Task<LiveSubscription<T>>> watch,
        Func<ImmutableArray<T>, bool> onInitial, Func<IReadOnlyList<Change<T>>, bool> onChanges)
    {
        var feed = new WatchFeed<T>(ct => watch(FeedEngine, ct), FeedClock);
        _feed = feed;
        feed.Start(
            rows => DispatchAsync(false, _ => Task.FromResult(onInitial(rows))),
            changes => DispatchAsync(false, _ => Task.FromResult(onChanges(changes))),
            () => DispatchAsync(true, _ => Task.FromResult(false)));
    }

    /// <summary>The feed has come live: the first time, or back after the stream broke. Events in between may be lost to
    /// the page, so it reads what it shows again (reading once subscribed leaves no gap between the read and the feed).
    /// <paramref name="batch"/> is the subscription's history. False: nothing shown changed.</summary>
    protected virtual Task<bool> OnLiveAsync(IReadOnlyList<EngineEvent> batch) => Task.FromResult(false);

    /// <summary>A batch of events while live (empty when only the feed's state changed). False: nothing shown changed,
    /// so no render.</summary>
    protected virtual Task<bool> OnEventsAsync(IReadOnlyList<EngineEvent> batch) => Task.FromResult(false);

    /// <summary>Hands one callback of the feed to the page on its dispatcher; <paramref name="handle"/> is told whether the
    /// feed has just come (back) live.</summary>
    private Task DispatchAsync(bool onlyState, Func<bool, Task<bool>> handle) =>
        // A component that does not show the feed's state has nothing to do for a batch that only changes it: not even a
        // trip through its dispatcher, where it would queue ahead of the user's input.
        onlyState && !ShowsLiveState ? Task.CompletedTask : InvokeAsync(async () =>
    {
        var now = _feed!.State;
        bool cameLive = now == FeedState.Live && LiveState != FeedState.Live, stateChanged = now != LiveState;
        LiveState = now;
        LiveError = _feed.Error;
        bool changed = await handle(cameLive);
        Loaded |= cameLive;
        if (changed || (stateChanged && ShowsLiveState)) StateHasChanged();
    });

    /// <summary>Stops the feed (without waiting for it: see <see cref="EventFeed.DisposeAsync"/>). A page that overrides
    /// this calls it.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        if (_feed is not null) await _feed.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
