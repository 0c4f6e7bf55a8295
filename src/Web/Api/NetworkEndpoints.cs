using MyDocker.Engine;
using MyDocker.Engine.Networks;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: /networks.</summary>
public static class NetworkEndpoints
{
    public static void MapNetworkEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/networks", async (string? filters, NetworkService networks, CancellationToken ct) =>
        {
            var match = NetworkMapping.ParseFilters(filters);
            var all = await networks.ListAsync(ct);
            return Results.Json(all.Select(NetworkMapping.ToResource).Where(match).ToList(), ApiJsonContext.Default.ListNetworkResource);
        });

        app.MapGet("/networks/{id}", async (string id, NetworkService networks, CancellationToken ct) =>
            Results.Json(NetworkMapping.ToResource(await networks.GetAsync(id, ct)), ApiJsonContext.Default.NetworkResource));

        app.MapPost("/networks/create", async (HttpRequest request, NetworkService networks, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.NetworkCreateRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with at least a Name");
            var configs = body.IPAM?.Config ?? [];
            if (configs.Count > 1)
                throw EngineException.Invalid($"{configs.Count} IPAM configs given; MyDocker supports one IPv4 subnet per network");
            if (body.EnableIPv6 == true)
                throw EngineException.Invalid("IPv6 networks are not supported yet; create the network without --ipv6");
            if (body.IPAM?.Driver is { Length: > 0 } ipamDriver && ipamDriver != "default")
                throw EngineException.Invalid($"unknown IPAM driver '{ipamDriver}': only 'default' is supported");
            var pool = configs.FirstOrDefault();
            var view = await networks.CreateAsync(new NetworkCreateSpec(
                body.Name, body.Driver, pool?.Subnet, pool?.Gateway, pool?.IPRange, body.Internal, body.Options, body.Labels), ct);
            return Results.Json(new NetworkCreateResponse { Id = view.Network.Id }, ApiJsonContext.Default.NetworkCreateResponse,
                statusCode: StatusCodes.Status201Created);
        });

        // Docker's prune takes filters (until, label); an unfiltered prune is all we offer, so filters are refused
        // rather than ignored (ignoring them would remove networks the user meant to keep).
        app.MapPost("/networks/prune", async (string? filters, NetworkService networks, CancellationToken ct) =>
        {
            if (!string.IsNullOrWhiteSpace(filters) && filters.Trim() != "{}")
                throw EngineException.Invalid("network prune filters are not supported yet; prune without --filter, or remove networks by name");
            return Results.Json(new NetworksPruneResponse { NetworksDeleted = [.. await networks.PruneAsync(ct)] },
                ApiJsonContext.Default.NetworksPruneResponse);
        });

        app.MapDelete("/networks/{id}", async (string id, NetworkService networks, CancellationToken ct) =>
        {
            await networks.RemoveAsync(id, ct);
            return Results.NoContent();
        });
    }
}
