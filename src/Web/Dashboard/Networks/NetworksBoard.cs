using System.Collections.Immutable;
using MyDocker.Web.Dashboard.Live;

namespace MyDocker.Web.Dashboard.Networks;

/// <summary>
/// The networks page's state: the list, kept by <see cref="IDashboardEngine.WatchNetworksAsync"/>'s changes, by name as
/// the engine lists them. Not thread-safe: the page calls it from its dispatcher only.
/// </summary>
public sealed class NetworksBoard
{
    private readonly LiveList<NetworkRow> _list = new(r => r.Id, (a, b) => string.CompareOrdinal(a.Name, b.Name));
    public IReadOnlyList<NetworkRow> Rows => _list.Rows;

    public void Reset(ImmutableArray<NetworkRow> rows) => _list.Reset(rows);

    /// <summary>True if anything changed.</summary>
    public bool Apply(IReadOnlyList<Change<NetworkRow>> changes) => _list.Apply(changes);
}
