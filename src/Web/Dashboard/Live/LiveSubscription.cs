using System.Collections.Immutable;
using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Rows of one kind as they are now (<paramref name="Initial"/>, read after subscribing, so no change falls between the
/// read and the stream), then their changes in batches until the stream ends (the engine's event stream broke: watch
/// again for a fresh snapshot) or the enumeration is cancelled. The shape of Aspire's <c>SubscribeResourcesAsync</c>.
/// Enumerate <paramref name="Changes"/> once.
/// </summary>
public sealed record LiveSubscription<T>(ImmutableArray<T> Initial, IAsyncEnumerable<IReadOnlyList<Change<T>>> Changes);

public enum ChangeKind { Upsert, Remove }

/// <summary>A row made or changed (<see cref="ChangeKind.Upsert"/>, with the row as read after the events) or gone
/// (<see cref="ChangeKind.Remove"/>), by id. <paramref name="Actions"/>: the engine's actions on it that the change
/// answers, in order (what <see cref="Containers.PendingActions"/> waits for); empty when it was read for another reason.</summary>
public sealed record Change<T>(ChangeKind Kind, string Id, T? Row, ImmutableArray<EventAction> Actions)
{
    public static Change<T> Upsert(string id, T row, ImmutableArray<EventAction> actions = default) =>
        new(ChangeKind.Upsert, id, row, actions.IsDefault ? [] : actions);

    public static Change<T> Remove(string id, ImmutableArray<EventAction> actions = default) =>
        new(ChangeKind.Remove, id, default, actions.IsDefault ? [] : actions);
}
