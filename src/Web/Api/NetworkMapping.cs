using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Engine network views in the Docker API's shape.</summary>
public static class NetworkMapping
{
    /// <param name="containers">The containers on the network (<see cref="MyDocker.Engine.Containers.ContainerService.OnNetworkAsync"/>):
    /// each lease is shown with its container's name and MAC; null (network list, which Docker leaves empty since API 1.28): ids only.</param>
    public static NetworkResource ToResource(NetworkView view, IReadOnlyList<MyDocker.Engine.Containers.Container>? containers = null)
    {
        var r = view.Network;
        int prefix = r.Subnet.PrefixLength;
        return new NetworkResource
        {
            Name = r.Name,
            Id = r.Id,
            Created = r.Created,
            Driver = r.Driver,
            Internal = r.Internal,
            IPAM = new IpamConfigSection
            {
                Driver = "default",
                Options = new(),
                Config = [new IpamPoolConfig { Subnet = r.Subnet.ToString(), Gateway = r.Gateway.ToString(), IPRange = r.IpRange?.ToString() }],
            },
            Options = new(r.Options),
            Labels = new(r.Labels),
            Containers = view.Leases.GroupBy(l => l.OwnerId).ToDictionary(
                g => g.Key,
                g =>
                {
                    var l = g.First();
                    var owner = containers?.FirstOrDefault(c => c.Id == l.OwnerId);
                    return new EndpointResource
                    {
                        Name = owner?.Name ?? l.OwnerId,
                        EndpointID = ContainerMapping.EndpointId(l.OwnerId, r.Id),
                        MacAddress = owner?.EndpointOn(r.Id)?.Mac ?? "",
                        IPv4Address = $"{IPv4.ToAddress(l.Address)}/{prefix}",
                    };
                }),
            IpamUsage = new IpamUsage { Total = view.Usage.Total, Used = view.Usage.Used, Free = view.Usage.Free },
        };
    }

    /// <summary>Docker's network list filters: name (substring), id (prefix), driver, type (custom/builtin), label, scope.</summary>
    public static Func<NetworkResource, bool> ParseFilters(string? json) => DockerFilters.Parse(json, "networks", NetworkFilterKeys);

    private static readonly Dictionary<string, Func<NetworkResource, string, bool>> NetworkFilterKeys = new()
    {
        ["name"] = (n, v) => n.Name.Contains(v, StringComparison.Ordinal),
        ["id"] = (n, v) => n.Id.StartsWith(v, StringComparison.Ordinal),
        ["driver"] = (n, v) => n.Driver == v,
        ["type"] = (_, v) => v == "custom",
        ["label"] = (n, v) => DockerFilters.MatchesLabel(n.Labels, v),
        ["scope"] = (_, v) => v == "local",
    };
}
