using System.Collections.Immutable;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Keeps one page on a <see cref="LiveSubscription{T}"/>: hands over the snapshot, then each batch of changes; when the
/// changes end (the engine's stream broke) or the snapshot cannot be read, it reports the state and, a second later,
/// watches again, whose snapshot replaces what the page holds (changes in between are not lost, only folded into it).
/// </summary>
public sealed class WatchFeed<T>(Func<CancellationToken, Task<LiveSubscription<T>>> watch, TimeProvider time) : FeedLoop(time)
{
    private string? _error;

    public override string? Error => _error;

    /// <summary>Starts watching. <paramref name="onState"/> is called when only the state changed.</summary>
    public void Start(Func<ImmutableArray<T>, Task> onInitial, Func<IReadOnlyList<Change<T>>, Task> onChanges, Func<Task> onState) =>
        Run(async ct =>
        {
            var sub = await watch(ct);
            MarkLive();
            await onInitial(sub.Initial);
            await foreach (var changes in sub.Changes.WithCancellation(ct)) await onChanges(changes);
        }, onState);

    protected override void MarkLive()
    {
        base.MarkLive();
        _error = null;
    }

    protected override void OnBroken(Exception e) => _error = e.Message;
}
