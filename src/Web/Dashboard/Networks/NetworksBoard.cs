using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Networks;

/// <summary>
/// The networks page's state: the list, reloaded when a batch of events could have changed it (network create/destroy/
/// connect/disconnect, container create/destroy). Not thread-safe: the page calls it from its feed's callback only.
/// </summary>
public sealed class NetworksBoard(IDashboardEngine engine)
{
    public IReadOnlyList<NetworkRow> Rows { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        try { Rows = await engine.ListNetworksAsync(ct); Error = null; }
        catch (Exception e) when (e is not OperationCanceledException) { Error = e.Message; }
    }

    /// <summary>Reloads if any event of the batch concerns networks; true if it did.</summary>
    public async Task<bool> ApplyAsync(IReadOnlyList<EngineEvent> batch, CancellationToken ct = default)
    {
        if (!batch.Any(Live.DashboardEvents.ChangesNetworkList)) return false;
        await ReloadAsync(ct);
        return true;
    }
}
