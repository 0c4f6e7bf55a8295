using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Dns;

namespace MyDocker.Web.Dashboard.Networks;

/// <summary>Why a container answers to a name on a network (Docker's DNSNames, in <see cref="Container.NamesOn"/>'s
/// order: a name that is two of these is shown as the first).</summary>
public enum NameKind { Name, Alias, ShortId, Hostname }

/// <summary>One container answering to a name on the network, at its address there.</summary>
public sealed record NameAnswer(string ContainerId, string Container, string Address, NameKind Kind);

/// <summary>A name the network's containers resolve, and every answer it gets (the resolver answers all of them).
/// Immutable.</summary>
public sealed record NameRow(string Name, IReadOnlyList<NameAnswer> Answers);

/// <summary>The names a network resolves, as the engine publishes them to the resolver (<see cref="ContainerNames.Of"/>):
/// running containers only, attached endpoints only, none on the default network.</summary>
public static class NetworkNames
{
    public static IReadOnlyList<NameRow> Of(Network network, IEnumerable<Container> containers)
    {
        var byId = new Dictionary<string, Network> { [network.Id] = network };
        var answers = new List<(string Name, NameAnswer Answer)>();
        foreach (var c in containers)
        {
            if (ContainerNames.Of(c, byId) is not { } published || c.EndpointOn(network.Id) is not { } endpoint) continue;
            foreach (var e in published.Endpoints)
                answers.AddRange(e.Names.Select(n => (n, new NameAnswer(c.Id, c.Name, e.Ip.ToString(), KindOf(c, endpoint, n)))));
        }
        // DNS compares names case-insensitively: "DB" and "db" are one name with both answers.
        return answers.GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new NameRow(g.First().Name, g.Select(a => a.Answer).OrderBy(a => a.Container, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    public static NameKind KindOf(Container c, Engine.Containers.Endpoint endpoint, string name) =>
        string.Equals(name, c.Name, StringComparison.OrdinalIgnoreCase) ? NameKind.Name
        : endpoint.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase) ? NameKind.Alias
        : string.Equals(name, c.Id[..12], StringComparison.OrdinalIgnoreCase) ? NameKind.ShortId
        : NameKind.Hostname;

    public static string Words(NameKind kind) => kind switch
    {
        NameKind.Name => "container name",
        NameKind.Alias => "alias",
        NameKind.ShortId => "short id",
        _ => "hostname",
    };
}
