using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using MyDocker.Engine;
using MyDocker.Engine.Events;
using MyDocker.Web.Dashboard.Containers;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Turns the engine's events into changes of one kind of row, once for every page: subscribe, read the rows, then for
/// each batch of the events that change rows (<see cref="EventBatches"/>: a burst is one batch) re-read the rows the
/// events name, each once. A row that is gone (NotFound) is removed. Without a read by id, or when a batch names more
/// rows than <see cref="ReadEachUpTo"/>, one list read answers the batch: every listed row is upserted and every row no
/// longer listed removed. A re-read that fails otherwise ends the changes with its exception (the feed watches again).
/// </summary>
/// <param name="subscribe">The engine's live events (no history).</param>
/// <param name="changesRow">The events that change a row; their <see cref="EngineEvent.ActorId"/> names it.</param>
/// <param name="get">One row by id; null: re-list on every batch (a row's events need not name it: a container made
/// changes its network's counts).</param>
public sealed class RowWatch<T>(
    Func<IEventSubscription> subscribe, Func<EngineEvent, bool> changesRow,
    Func<CancellationToken, Task<IReadOnlyList<T>>> list, Func<T, string> idOf, Func<string, CancellationToken, Task<T>>? get)
{
    /// <summary>More rows named in one batch than this: one list read is cheaper than a read each.</summary>
    public const int ReadEachUpTo = 16;

    public async Task<LiveSubscription<T>> StartAsync(TimeSpan window, TimeProvider time, CancellationToken ct)
    {
        // Subscribe before reading: an event after the read is in the stream, so the snapshot misses nothing.
        var sub = subscribe();
        try
        {
            var initial = (await list(ct)).ToImmutableArray();
            return new(initial, ChangesAsync(sub, initial.Select(idOf).ToHashSet(), window, time, CancellationToken.None));
        }
        catch
        {
            sub.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<IReadOnlyList<Change<T>>> ChangesAsync(
        IEventSubscription sub, HashSet<string> known, TimeSpan window, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        using (sub)
        {
            await foreach (var batch in EventBatches.ReadAsync(sub.Live, window, time, changesRow, null, ct))
                if (await ChangesOfAsync(batch, known, ct) is { Count: > 0 } changes) yield return changes;
        }
    }

    /// <summary>The changes a batch of (row-changing) events makes to the rows <paramref name="known"/> holds the ids of,
    /// which it updates.</summary>
    public async Task<IReadOnlyList<Change<T>>> ChangesOfAsync(IReadOnlyList<EngineEvent> batch, HashSet<string> known, CancellationToken ct)
    {
        var actions = batch.GroupBy(e => e.ActorId).ToDictionary(g => g.Key, g => g.Select(e => e.Action).ToImmutableArray());
        ImmutableArray<EventAction> ActionsOf(string id) => actions.GetValueOrDefault(id, []);
        var changes = new List<Change<T>>();
        if (get is null || actions.Count > ReadEachUpTo)
        {
            var rows = await list(ct);
            var listed = rows.Select(idOf).ToHashSet();
            changes.AddRange(known.Where(id => !listed.Contains(id)).Select(id => Change<T>.Remove(id, ActionsOf(id))));
            changes.AddRange(rows.Select(r => Change<T>.Upsert(idOf(r), r, ActionsOf(idOf(r)))));
            known.Clear();
            known.UnionWith(listed);
            return changes;
        }
        foreach (var id in actions.Keys)
        {
            T row;
            try { row = await get(id, ct); }
            catch (EngineException e) when (e.Kind == ErrorKind.NotFound)
            {
                known.Remove(id);
                changes.Add(Change<T>.Remove(id, ActionsOf(id)));
                continue;
            }
            known.Add(id);
            changes.Add(Change<T>.Upsert(id, row, ActionsOf(id)));
        }
        return changes;
    }
}

/// <summary>The dashboard's two watches, built on any <see cref="IDashboardEngine"/>'s reads and events (the real
/// client's and the tests' fake's).</summary>
public static class RowWatches
{
    /// <summary>Every container (newest first), re-read when its create, start, die, restart or destroy event comes.</summary>
    public static Task<LiveSubscription<ContainerRow>> ContainersAsync(IDashboardEngine engine, TimeProvider time, CancellationToken ct) =>
        new RowWatch<ContainerRow>(() => engine.SubscribeEvents(null), DashboardEvents.ChangesContainer, engine.ListContainersAsync, r => r.Id, engine.GetContainerAsync)
            .StartAsync(EventFeed.DefaultWindow, time, ct);

    /// <summary>Every network (by name), re-listed when a network's event or a container's create or destroy comes (its
    /// lease changes the counts).</summary>
    public static Task<LiveSubscription<NetworkRow>> NetworksAsync(IDashboardEngine engine, TimeProvider time, CancellationToken ct) =>
        new RowWatch<NetworkRow>(() => engine.SubscribeEvents(null), DashboardEvents.ChangesNetworkList, engine.ListNetworksAsync, r => r.Id, get: null)
            .StartAsync(EventFeed.DefaultWindow, time, ct);
}
