using System.Collections.Immutable;
using MyDocker.Web.Dashboard.Live;

namespace MyDocker.Web.Dashboard.Containers;

public enum StateFilter { All, Running, Exited, Created }

/// <summary>
/// The containers page's state: the rows, kept by <see cref="IDashboardEngine.WatchContainersAsync"/>'s changes (one row
/// replaced per changed container, so with hundreds listed a stop re-renders one row), the filters and the actions
/// waiting for their event. Not thread-safe: the page calls it from its dispatcher only.
/// </summary>
public sealed class ContainersBoard
{
    private readonly LiveList<ContainerRow> _list = new(r => r.Id, (a, b) => b.Created.CompareTo(a.Created)); // newest first, as the engine lists them
    public IReadOnlyList<ContainerRow> Rows => _list.Rows;
    public PendingActions Pending { get; } = new();
    public string Text { get; set; } = "";
    public StateFilter State { get; set; } = StateFilter.All;

    /// <summary>A fresh snapshot (the first, or after the feed broke): pending actions whose confirming event may have been
    /// lost meanwhile are forgotten.</summary>
    public void Reset(ImmutableArray<ContainerRow> rows)
    {
        _list.Reset(rows);
        foreach (var r in rows) Pending.End(r.Id);
    }

    /// <summary>Applies a batch of changes and ends the pending actions their events confirm. True if anything shown may
    /// have changed.</summary>
    public bool Apply(IReadOnlyList<Change<ContainerRow>> changes)
    {
        Pending.Apply(changes.SelectMany(c => c.Actions.Select(a => (c.Id, a))));
        return _list.Apply(changes);
    }

    public IEnumerable<ContainerRow> Visible => Rows.Where(Matches);

    /// <summary>How many rows the state filter <paramref name="f"/> would show (the filter buttons' counts).</summary>
    public int Count(StateFilter f) => Rows.Count(r => InState(f, r));

    public bool Matches(ContainerRow r) =>
        InState(State, r)
        && (Text.Trim() is not { Length: > 0 } t
            || r.Name.Contains(t, StringComparison.OrdinalIgnoreCase)
            || r.Image.Contains(t, StringComparison.OrdinalIgnoreCase)
            || r.Id.StartsWith(t, StringComparison.OrdinalIgnoreCase)
            || r.Networks.Any(n => n.Ip.StartsWith(t, StringComparison.Ordinal) || n.Network.Contains(t, StringComparison.OrdinalIgnoreCase)));

    private static bool InState(StateFilter f, ContainerRow r) => f switch
    {
        StateFilter.Running => r.State == "running",
        StateFilter.Exited => r.State == "exited",
        StateFilter.Created => r.State == "created",
        _ => true,
    };
}
