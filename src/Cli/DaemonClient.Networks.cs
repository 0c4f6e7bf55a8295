using System.Text.Json;
using MyDocker.Shared.Api;

namespace MyDocker.Cli;

public sealed partial class DaemonClient
{
    /// <summary><c>POST /networks/create</c>.</summary>
    public Task<NetworkCreateResponse> CreateNetworkAsync(NetworkCreateRequest request, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, "/networks/create",
            JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.NetworkCreateRequest),
            ApiJsonContext.Default.NetworkCreateResponse, ct);

    /// <summary><c>GET /networks</c>, the raw JSON array (kept raw so <c>--format json</c> loses no field).</summary>
    public Task<byte[]> ListNetworksRawAsync(string? filtersJson, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, filtersJson is null ? "/networks" : "/networks?filters=" + Uri.EscapeDataString(filtersJson), null, ct);

    /// <summary><c>GET /networks/{id}</c>, the raw JSON object (kept raw so inspect loses no field).</summary>
    public Task<byte[]> InspectNetworkRawAsync(string idOrName, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "/networks/" + Uri.EscapeDataString(idOrName), null, ct);

    /// <summary><c>POST /networks/prune</c>: removes every network no endpoint uses.</summary>
    public Task<NetworksPruneResponse> PruneNetworksAsync(CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, "/networks/prune", null, ApiJsonContext.Default.NetworksPruneResponse, ct);

    /// <summary><c>POST /networks/{id}/connect</c>.</summary>
    public Task ConnectNetworkAsync(string network, NetworkConnectRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/networks/" + Uri.EscapeDataString(network) + "/connect",
            JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.NetworkConnectRequest), ct);

    /// <summary><c>POST /networks/{id}/disconnect</c>.</summary>
    public Task DisconnectNetworkAsync(string network, NetworkDisconnectRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/networks/" + Uri.EscapeDataString(network) + "/disconnect",
            JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.NetworkDisconnectRequest), ct);

    /// <summary><c>DELETE /networks/{id}</c>.</summary>
    public Task RemoveNetworkAsync(string idOrName, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, "/networks/" + Uri.EscapeDataString(idOrName), null, ct);
}
