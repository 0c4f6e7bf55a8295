using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>Marks the Docker API's endpoints (including its fallback), which only the unix socket serves.</summary>
public sealed class DockerApiEndpoint
{
    public static readonly DockerApiEndpoint Instance = new();
}

/// <summary>
/// Keeps the two listeners apart during endpoint selection: the unix socket sees only Docker API endpoints, the loopback
/// TCP port only the dashboard's. Done in routing (not by path) because both have /networks and /events: with both
/// candidates valid the matcher would throw AmbiguousMatchException.
/// </summary>
public sealed class ListenerMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    /// <summary>True for the dashboard's TCP listener; the unix socket has no IP address.</summary>
    public static bool IsDashboardListener(HttpContext ctx) => ctx.Connection.LocalIpAddress is not null;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        bool tcp = IsDashboardListener(httpContext);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)) continue;
            bool api = candidates[i].Endpoint.Metadata.GetMetadata<DockerApiEndpoint>() is not null;
            if (api == tcp) candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }
}
