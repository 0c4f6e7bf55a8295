using System.Net;

namespace MyDocker.Resolver.Names;

/// <summary>
/// What the resolver knows about the container behind a source address: the networks whose names it sees, its own
/// <c>--add-host</c> names (answered to it alone), where its unknown names go, and whether they may go anywhere.
/// Immutable; every address of one container shares one instance.
/// </summary>
public sealed class Asker
{
    private static readonly NetworkNames NoHosts = new(NetworkNames.NewDictionary());

    /// <param name="container">The container's id; null for records made without one (table-level tests).</param>
    /// <param name="networks">At least one network id (checked by <see cref="NameTable.CheckedNetworks"/>).</param>
    /// <param name="hosts">Name → addresses (host byte order) answered to this container only; null: none.</param>
    /// <param name="upstreams">The container's own name servers (<c>--dns</c>); empty: the host's.</param>
    /// <param name="forwards">False when every network of the container is internal: unknown names get NXDOMAIN and
    /// nothing leaves the host for it (aardvark-dns PR #447: forwarding from internal networks was an exfiltration channel).</param>
    internal Asker(string? container, string[] networks, Dictionary<string, uint[]>? hosts, IPAddress[] upstreams, bool forwards)
    {
        Container = container;
        NetworkIds = networks;
        Hosts = hosts is null || hosts.Count == 0 ? NoHosts : new NetworkNames(hosts);
        Upstreams = upstreams;
        Forwards = forwards;
    }

    public string? Container { get; }
    public IReadOnlyList<string> Networks => NetworkIds;

    /// <summary>The array itself: the query path walks it with no enumerator to allocate.</summary>
    internal string[] NetworkIds { get; }
    internal NetworkNames Hosts { get; }
    public IReadOnlyList<IPAddress> Upstreams { get; }
    public bool Forwards { get; }

    /// <summary>An asker that sees <paramref name="networks"/> and forwards to the host's name servers.</summary>
    public static Asker OnNetworks(IPAddress address, IReadOnlyList<string> networks) =>
        new(null, NameTable.CheckedNetworks(address, networks), null, [], forwards: true);
}
