using System.Collections.Immutable;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// A page's rows kept by a <see cref="LiveSubscription{T}"/>: the snapshot, then each change applied in place. An upsert
/// replaces the row (only that row's reference changes, so a table re-renders that row alone) or inserts a new one where
/// <c>order</c> puts it; a remove drops it. Not thread-safe: the page uses it from its dispatcher only.
/// </summary>
public sealed class LiveList<T>(Func<T, string> idOf, Comparison<T> order)
{
    private List<T> _rows = [];
    public IReadOnlyList<T> Rows => _rows;

    public void Reset(ImmutableArray<T> rows) => _rows = [.. rows];

    /// <summary>True if anything changed.</summary>
    public bool Apply(IReadOnlyList<Change<T>> changes)
    {
        foreach (var c in changes)
        {
            int at = _rows.FindIndex(r => idOf(r) == c.Id);
            if (c.Kind == ChangeKind.Remove) { if (at >= 0) _rows.RemoveAt(at); continue; }
            var row = c.Row!;
            if (at >= 0) { _rows[at] = row; continue; }
            int before = _rows.FindIndex(r => order(r, row) > 0);
            _rows.Insert(before < 0 ? _rows.Count : before, row);
        }
        return changes.Count > 0;
    }
}
