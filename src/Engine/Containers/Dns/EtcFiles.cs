using System.Net;
using System.Text;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Shared.Run;

namespace MyDocker.Engine.Containers.Dns;

/// <summary>One network a container is on, as its /etc files see it.</summary>
/// <param name="Address">The container's address there.</param>
/// <param name="Gateway">The network's gateway (the host's address on its bridge).</param>
/// <param name="IsDefaultNetwork">Docker's default network ("bridge"): no name resolution there, so a container only
/// on it keeps the host's name servers.</param>
public sealed record EtcEndpoint(IPAddress Address, IPAddress Gateway, bool IsDefaultNetwork);

/// <summary>The text of a container's /etc/hosts, /etc/hostname and /etc/resolv.conf.</summary>
public sealed record EtcContent(string Hosts, string Hostname, string ResolvConf);

/// <summary>
/// A container's /etc/hosts, /etc/hostname and /etc/resolv.conf (pure but for reading the host's resolv.conf; unit-tested
/// against golden text), with Docker's contents (moby libnetwork sandbox_dns_unix.go and etchosts): the container's own
/// names on each of its addresses, <c>--add-host</c> entries, and either the engine's resolver (on a user-defined
/// network) or the host's name servers (on the default network only).
/// </summary>
public static class EtcFiles
{
    /// <summary>Docker's fixed /etc/hosts head (libnetwork/etchosts defaultContent).</summary>
    private const string HostsHead =
        "127.0.0.1\tlocalhost\n" +
        "::1\tlocalhost ip6-localhost ip6-loopback\n" +
        "fe00::0\tip6-localnet\n" +
        "ff00::0\tip6-mcastprefix\n" +
        "ff02::1\tip6-allnodes\n" +
        "ff02::2\tip6-allrouters\n";

    /// <summary>Docker's fallback when the host names no server the container can reach (libnetwork/resolvconf: Google's
    /// public resolvers). Kept as the engine did before; only files of containers on the default network can hold it.</summary>
    public static readonly IReadOnlyList<string> FallbackNameServers = ["8.8.8.8", "8.8.4.4"];

    /// <summary>Docker's option for embedded DNS, added unless the user's or host's options set ndots: a name with a dot
    /// is first asked as it is, so a container name is not first tried under each search domain (moby sandbox_dns_unix.go
    /// rebuildDNS).</summary>
    public const string EmbeddedDnsOption = "ndots:0";

    /// <summary>All three files for a container on <paramref name="endpoints"/> (its first network first).</summary>
    /// <param name="hostname">The UTS host name in force (the spec's, or the short id).</param>
    /// <param name="hostResolvConf">The host's resolv.conf text ("" if it has none).</param>
    public static EtcContent For(ContainerSpec spec, string hostname, IReadOnlyList<EtcEndpoint> endpoints, string hostResolvConf) =>
        new(Hosts(hostname, spec.Domainname, endpoints.Select(e => e.Address).ToList(), ExtraHosts(spec.ExtraHosts, endpoints.FirstOrDefault()?.Gateway)),
            hostname + "\n",
            ResolvConf(hostResolvConf, spec.Dns, spec.DnsSearch, spec.DnsOptions, embedded: endpoints.Any(e => !e.IsDefaultNetwork)));

    /// <summary>The host's resolv.conf as the daemon is told to read it (MyDocker:ResolvConfPath); "" when there is none.</summary>
    public static string ReadHostResolvConf(EngineOptions options) =>
        File.Exists(options.ResolvConfPath) ? File.ReadAllText(options.ResolvConfPath) : "";

    /// <summary>
    /// Docker's /etc/hosts: the fixed head, the <c>--add-host</c> entries in order, then one line per address of the
    /// container with its FQDN first and its short name after ("10.1.0.2\tweb.example.test web"; the short name alone
    /// when there is no domain).
    /// </summary>
    public static string Hosts(string hostname, string? domainname, IReadOnlyList<IPAddress> addresses, IReadOnlyList<(string Name, string Address)> extraHosts)
    {
        var text = new StringBuilder(HostsHead);
        foreach (var (name, address) in extraHosts) text.Append(address).Append('\t').Append(name).Append('\n');
        string fqdn = string.IsNullOrEmpty(domainname) ? hostname : hostname + "." + domainname;
        string names = fqdn.IndexOf('.') is > 0 and var dot ? fqdn + " " + fqdn[..dot] : fqdn;
        foreach (var address in addresses) text.Append(address).Append('\t').Append(names).Append('\n');
        return text.ToString();
    }

    /// <summary>The <c>--add-host</c> values (checked NAME:ADDRESS) with <c>host-gateway</c> replaced by the gateway of
    /// the container's first network (the host as the container reaches it). Without a network it has no gateway, and
    /// such an entry is left out.</summary>
    public static List<(string Name, string Address)> ExtraHosts(IEnumerable<string> values, IPAddress? gateway)
    {
        var result = new List<(string, string)>();
        foreach (var value in values)
        {
            var (name, address) = DnsValues.SplitExtraHost(value);
            if (address == DnsValues.HostGateway)
            {
                if (gateway is null) continue;
                address = gateway.ToString();
            }
            result.Add((name, address));
        }
        return result;
    }

    /// <summary>
    /// The container's resolv.conf. <paramref name="embedded"/> (on a user-defined network): the engine's resolver alone
    /// (<see cref="ResolverAddress"/>; the <c>--dns</c> servers are its upstreams, not listed here, as in Docker), the
    /// search domains given or the host's, and the options given or the host's plus <see cref="EmbeddedDnsOption"/> when
    /// none sets ndots. Otherwise, with no option given: the host's file without the loopback name servers the container
    /// cannot reach; with one: a file of the servers, domains and options given, each falling back to the host's.
    /// Either way, no server left means <see cref="FallbackNameServers"/>. "--dns-search ." means no search line.
    /// </summary>
    public static string ResolvConf(string host, IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> options, bool embedded)
    {
        var parsed = Parse(host);
        if (!embedded && dns.Count == 0 && search.Count == 0 && options.Count == 0)
        {
            var kept = parsed.Lines.Where(l => !IsLoopbackServerLine(l)).ToList();
            if (!parsed.NameServers.Any(s => !IsLoopback(s))) kept.AddRange(FallbackNameServers.Select(s => "nameserver " + s));
            return string.Join('\n', kept) + "\n";
        }

        List<string> servers = embedded ? [ResolverAddress.Text]
            : dns.Count > 0 ? [.. dns]
            : [.. parsed.NameServers.Where(s => !IsLoopback(s))];
        if (servers.Count == 0) servers.AddRange(FallbackNameServers);
        var domains = search.Count > 0 ? search : parsed.Search;
        List<string> opts = [.. options.Count > 0 ? options : parsed.Options];
        if (embedded && !opts.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal))) opts.Add(EmbeddedDnsOption);

        var text = new StringBuilder();
        foreach (var server in servers) text.Append("nameserver ").Append(server).Append('\n');
        if (domains.Count > 0 && !(domains.Count == 1 && domains[0] == ".")) text.Append("search ").AppendJoin(' ', domains).Append('\n');
        if (opts.Count > 0) text.Append("options ").AppendJoin(' ', opts).Append('\n');
        return text.ToString();
    }

    /// <summary>The host's resolv.conf as resolv.conf(5) reads it: every nameserver, the last search or domain line
    /// (it replaces earlier ones), every options line's words. <c>Lines</c>: the non-blank lines as they are.</summary>
    private static (List<string> Lines, List<string> NameServers, List<string> Search, List<string> Options) Parse(string host)
    {
        var lines = host.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        List<string> servers = [], search = [], options = [];
        foreach (var line in lines)
            switch (Words(line))
            {
                case ["nameserver", var server, ..]: servers.Add(server); break;
                case ["search" or "domain", .. var domains]: search = [.. domains]; break;
                case ["options", .. var words]: options.AddRange(words); break;
            }
        return (lines, servers, search, options);
    }

    private static string[] Words(string line) =>
        line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    private static bool IsLoopbackServerLine(string line) => Words(line) is ["nameserver", var a, ..] && IsLoopback(a);

    /// <summary>A loopback name server means the host's own (systemd-resolved's 127.0.0.53), which the container's netns
    /// does not have (Docker filters them the same way, libnetwork/resolvconf).</summary>
    private static bool IsLoopback(string server) => server.StartsWith("127.", StringComparison.Ordinal) || server == "::1";
}
