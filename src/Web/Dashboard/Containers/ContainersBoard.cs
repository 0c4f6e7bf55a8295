using MyDocker.Engine;
using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Containers;

public enum StateFilter { All, Running, Exited, Created }

/// <summary>
/// The containers page's state: the rows, kept in step with the engine's container events, the filters and the actions
/// waiting for their event. A batch re-reads only the containers its events name (one query each), so with hundreds
/// listed a stop costs one read, and only that row's reference changes (the table re-renders that row alone).
/// Not thread-safe: the page calls it from its dispatcher only.
/// </summary>
public sealed class ContainersBoard(IDashboardEngine engine)
{
    /// <summary>More containers than this in one batch: one list read is cheaper than a read each.</summary>
    private const int ReadEachUpTo = 16;

    private List<ContainerRow> _rows = [];
    public IReadOnlyList<ContainerRow> Rows => _rows;
    public string? Error { get; private set; }
    public PendingActions Pending { get; } = new();
    public string Text { get; set; } = "";
    public StateFilter State { get; set; } = StateFilter.All;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        try { _rows = [.. await engine.ListContainersAsync(ct)]; Error = null; }
        catch (Exception e) when (e is not OperationCanceledException) { Error = e.Message; }
    }

    /// <summary>Applies a batch of events: re-reads the containers they name, ends the pending actions they confirm.
    /// True if anything shown may have changed.</summary>
    public async Task<bool> ApplyAsync(IReadOnlyList<EngineEvent> batch, CancellationToken ct = default)
    {
        var ids = Live.DashboardEvents.ContainersChanged(batch);
        if (ids.Count == 0) return false;
        if (ids.Count > ReadEachUpTo) await ReloadAsync(ct);
        else foreach (var id in ids) await RefreshAsync(id, ct);
        Pending.Apply(batch);
        return true;
    }

    private async Task RefreshAsync(string id, CancellationToken ct)
    {
        ContainerRow? row;
        try { row = await engine.GetContainerAsync(id, ct); }
        catch (EngineException e) when (e.Kind == ErrorKind.NotFound) { row = null; }
        catch (Exception e) when (e is not OperationCanceledException) { Error = e.Message; return; }
        int at = _rows.FindIndex(r => r.Id == id);
        if (row is null) { if (at >= 0) _rows.RemoveAt(at); return; }
        if (at >= 0) { _rows[at] = row; return; }
        // Newest first, as the engine lists them.
        int before = _rows.FindIndex(r => r.Created < row.Created);
        _rows.Insert(before < 0 ? _rows.Count : before, row);
    }

    public IEnumerable<ContainerRow> Visible => _rows.Where(Matches);

    /// <summary>How many rows the state filter <paramref name="f"/> would show (the filter buttons' counts).</summary>
    public int Count(StateFilter f) => _rows.Count(r => InState(f, r));

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
