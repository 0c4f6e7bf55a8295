using MyDocker.Engine;
using MyDocker.Engine.Containers;
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
            return Results.Json(all.Select(n => NetworkMapping.ToResource(n)).Where(match).ToList(), ApiJsonContext.Default.ListNetworkResource);
        });

        app.MapGet("/networks/{id}", async (string id, NetworkService networks, ContainerService containers, CancellationToken ct) =>
        {
            var view = await networks.GetAsync(id, ct);
            return Results.Json(NetworkMapping.ToResource(view, await containers.OnNetworkAsync(view.Network.Id, ct)), ApiJsonContext.Default.NetworkResource);
        });

        // Docker's answers: 200 with an empty body; 404 for an unknown network or container; 403 when the container is
        // already on the network (connect) or not on it (disconnect).
        app.MapPost("/networks/{id}/connect", async (string id, HttpRequest request, ContainerService containers, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.NetworkConnectRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with the Container to connect");
            if (string.IsNullOrWhiteSpace(body.Container))
                throw EngineException.Invalid("no container given; send {\"Container\": \"NAME\"}");
            var attachment = ContainerMapping.Attachment(id, body.EndpointConfig);
            await containers.ConnectAsync(id, body.Container, attachment.Ip, attachment.Aliases, ct);
            return Results.Ok();
        });

        app.MapPost("/networks/{id}/disconnect", async (string id, HttpRequest request, ContainerService containers, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.NetworkDisconnectRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with the Container to disconnect");
            if (string.IsNullOrWhiteSpace(body.Container))
                throw EngineException.Invalid("no container given; send {\"Container\": \"NAME\"}");
            await containers.DisconnectAsync(id, body.Container, body.Force, ct);
            return Results.Ok();
        });

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
