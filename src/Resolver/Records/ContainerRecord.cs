using System.Net;
using MyDocker.Resolver.Names;

namespace MyDocker.Resolver.Records;

/// <summary>One network attachment of a container: its address there and the names it answers to on that network
/// (the engine computes them: container name, aliases, short id, hostname).</summary>
public sealed record ContainerEndpoint(string Network, IPAddress Ip, IReadOnlyList<string> Names, bool Internal);

/// <summary>One <c>--add-host</c> entry, answered to its own container only.</summary>
public sealed record HostEntry(string Name, IPAddress Ip);

/// <summary>
/// Everything the resolver knows about one container, as one <c>put</c> of the control protocol carries it. Immutable;
/// checked when made, so a record in the table is always one the table can hold.
/// </summary>
public sealed class ContainerRecord
{
    public ContainerRecord(string id, IReadOnlyList<ContainerEndpoint> endpoints, IReadOnlyList<IPAddress> dns, IReadOnlyList<HostEntry> hosts)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(hosts);
        ValidateId(id);
        var seen = new HashSet<IPAddress>();
        foreach (var endpoint in endpoints)
        {
            ResolverName.ValidateNetwork(endpoint.Network);
            ResolverName.ToHostOrder(endpoint.Ip);
            if (!seen.Add(endpoint.Ip))
                throw new ArgumentException($"container {id} has address {endpoint.Ip} on two endpoints; an address names one endpoint", nameof(endpoints));
            foreach (var name in endpoint.Names) ResolverName.Validate(name);
        }
        foreach (var host in hosts)
        {
            ResolverName.Validate(host.Name);
            ResolverName.ToHostOrder(host.Ip);
        }
        Id = id;
        Endpoints = [.. endpoints];
        Dns = [.. dns];
        Hosts = [.. hosts];
    }

    public string Id { get; }
    public IReadOnlyList<ContainerEndpoint> Endpoints { get; }

    /// <summary>The container's own name servers (<c>--dns</c>); empty: the host's.</summary>
    public IReadOnlyList<IPAddress> Dns { get; }

    public IReadOnlyList<HostEntry> Hosts { get; }

    /// <summary>False when the container has endpoints and every one is on an internal network: it never forwards.</summary>
    public bool Forwards => Endpoints.Count == 0 || Endpoints.Any(e => !e.Internal);

    /// <summary>A container id: opaque, non-empty, no whitespace or control characters (it travels in a line protocol and log lines).</summary>
    public static void ValidateId(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length is 0 or > 128 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"container id '{id}' must be 1 to 128 characters without whitespace", nameof(id));
    }

    /// <summary>The asker every address of this container shares; null when it has no endpoint.</summary>
    internal Asker? ToAsker()
    {
        if (Endpoints.Count == 0) return null;
        Dictionary<string, uint[]>? hosts = null;
        foreach (var host in Hosts)
        {
            hosts ??= NetworkNames.NewDictionary();
            var value = ResolverName.ToHostOrder(host.Ip);
            var old = hosts.GetValueOrDefault(host.Name);
            if (old is null) hosts[host.Name] = [value];
            else if (!old.Contains(value)) hosts[host.Name] = [.. old, value];
        }
        var networks = NameTable.CheckedNetworks(Endpoints[0].Ip, [.. Endpoints.Select(e => e.Network)]);
        return new Asker(Id, networks, hosts, [.. Dns], Forwards);
    }
}
