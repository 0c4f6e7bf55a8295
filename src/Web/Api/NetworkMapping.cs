using System.Text.Json;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Engine network views in the Docker API's shape.</summary>
public static class NetworkMapping
{
    public static NetworkResource ToResource(NetworkView view)
    {
        var r = view.Record;
        int prefix = IPv4Subnet.Parse(r.Subnet).PrefixLength;
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
                Config = [new IpamPoolConfig { Subnet = r.Subnet, Gateway = r.Gateway, IPRange = r.IpRange }],
            },
            Options = JsonSerializer.Deserialize<Dictionary<string, string>>(r.OptionsJson) ?? new(),
            Labels = JsonSerializer.Deserialize<Dictionary<string, string>>(r.LabelsJson) ?? new(),
            Containers = view.Leases.ToDictionary(
                l => l.OwnerId,
                l => new EndpointResource { Name = l.OwnerId, IPv4Address = $"{IPv4.ToAddress(l.Address)}/{prefix}" }),
            IpamUsage = new IpamUsage { Total = view.Usage.Total, Used = view.Usage.Used, Free = view.Usage.Free },
        };
    }

    /// <summary>
    /// Docker's list filters, as the docker CLI sends them: <c>{"name":{"web":true}}</c> (or the older
    /// <c>{"name":["web"]}</c>). Supported keys: name (substring), id (prefix), driver, type (custom/builtin), label.
    /// </summary>
    public static Func<NetworkResource, bool> ParseFilters(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return _ => true;
        Dictionary<string, List<string>> filters = new();
        using (var doc = JsonDocument.Parse(json))
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var values = p.Value.ValueKind switch
                {
                    JsonValueKind.Object => p.Value.EnumerateObject().Select(v => v.Name).ToList(),
                    JsonValueKind.Array => p.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToList(),
                    _ => throw new Engine.EngineException(Engine.ErrorKind.InvalidArgument, $"invalid filter '{p.Name}': expected an object or array of values"),
                };
                filters[p.Name] = values;
            }
        }
        foreach (var key in filters.Keys)
            if (key is not ("name" or "id" or "driver" or "type" or "label" or "scope"))
                throw new Engine.EngineException(Engine.ErrorKind.InvalidArgument, $"invalid filter '{key}': networks can be filtered by name, id, driver, type, label and scope");

        return n => filters.All(f => f.Value.Count == 0 || f.Value.Any(v => f.Key switch
        {
            "name" => n.Name.Contains(v, StringComparison.Ordinal),
            "id" => n.Id.StartsWith(v, StringComparison.Ordinal),
            "driver" => n.Driver == v,
            "type" => v == "custom",
            "scope" => v == "local",
            "label" => MatchesLabel(n.Labels, v),
            _ => false,
        }));
    }

    private static bool MatchesLabel(Dictionary<string, string> labels, string filter)
    {
        int eq = filter.IndexOf('=');
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
