using System.Net;
using System.Net.Sockets;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Dns;

namespace MyDocker.Engine.Networks.Dns;

/// <summary>The names one container answers to on one network, and the address they resolve to.</summary>
/// <param name="Internal">The network is --internal: a container only on internal networks never has its other
/// questions forwarded upstream (aardvark-dns PR #447: forwarding was a way out of an internal network).</param>
public sealed record NameEndpoint(string NetworkId, IPAddress Ip, IReadOnlyList<string> Names, bool Internal);

/// <summary>An `--add-host NAME:IP` entry, answered to its own container only.</summary>
public sealed record HostEntry(string Name, IPAddress Ip);

/// <summary>
/// Everything the resolver holds about one running container: its names per network (also the source addresses it
/// asks from), its own upstream servers (`--dns`; empty: the host's) and its `--add-host` entries.
/// </summary>
public sealed record ContainerNames(string ContainerId, IReadOnlyList<NameEndpoint> Endpoints, IReadOnlyList<IPAddress> Dns, IReadOnlyList<HostEntry> Hosts)
{
    /// <summary>
    /// The container's records, or null when it has none: it is not running, or it is only on the default network,
    /// where Docker resolves no container names (its resolv.conf names the host's servers instead). Docker's names on a
    /// user-defined network: the container's name, its aliases on that network, its short id and its hostname (<see cref="Container.NamesOn"/>).
    /// A name that is not a valid DNS name (container names may hold dots in odd places) is left out.
    /// </summary>
    public static ContainerNames? Of(Container c, IReadOnlyDictionary<string, Network> networksById)
    {
        if (c.Phase != ContainerPhase.Running) return null;
        var endpoints = new List<NameEndpoint>();
        foreach (var e in c.Endpoints)
        {
            // A connect or disconnect under way (or cut short) answers nothing until it is finished.
            if (e.Phase != EndpointPhase.Attached || e.Ip is null || !networksById.TryGetValue(e.NetworkId, out var network) || IsDefault(network)) continue;
            endpoints.Add(new NameEndpoint(network.Id, e.Ip, [.. c.NamesOn(e).Where(IsDnsName)], network.Internal));
        }
        if (endpoints.Count == 0) return null;
        // The resolver forwards and answers over IPv4 only; /etc/hosts keeps the IPv6 entries.
        var dns = c.Spec.Dns.Select(IPAddress.Parse).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
        var gateway = networksById.TryGetValue(c.Primary.NetworkId, out var first) ? first.Gateway : null;
        var hosts = EtcFiles.ExtraHosts(c.Spec.ExtraHosts, gateway)
            .Select(h => (h.Name, Ip: IPAddress.Parse(h.Address)))
            .Where(h => h.Ip.AddressFamily == AddressFamily.InterNetwork && IsDnsName(h.Name))
            .Select(h => new HostEntry(h.Name, h.Ip)).ToList();
        return new ContainerNames(c.Id, endpoints, dns, hosts);
    }

    /// <summary>Docker's default network ("bridge"): no name resolution there (Docker's legacy links are not built).</summary>
    public static bool IsDefault(Network n) => n.Name == ContainerResources.DefaultNetworkName;

    /// <summary>Labels of 1-63 letters, digits, '-' or '_' joined by single dots, 253 characters at most (RFC 1035
    /// §2.3.4; '_' because Docker answers container names holding it). The resolver refuses anything else.</summary>
    public static bool IsDnsName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'));
}
