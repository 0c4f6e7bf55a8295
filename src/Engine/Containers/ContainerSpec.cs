namespace MyDocker.Engine.Containers;

/// <summary>What a user asks for when creating a container (the API's create request, validated by
/// <see cref="ContainerPlanner"/>).</summary>
public sealed record ContainerCreateSpec
{
    /// <summary>Null: a name is generated.</summary>
    public string? Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Null or "default"/"bridge": the default network, created on first use.</summary>
    public string? Network { get; init; }
    public string? Ip { get; init; }
    /// <summary>`--network-alias` values for <see cref="Network"/> (Docker applies them to the first network).</summary>
    public List<string> Aliases { get; init; } = [];
    /// <summary>Networks joined besides <see cref="Network"/> (a second `--network`, the API's EndpointsConfig entries
    /// after the first), as eth1, eth2, … in this order.</summary>
    public List<NetworkAttachment> MoreNetworks { get; init; } = [];
    public ContainerSpec Spec { get; init; } = new();
    public bool AutoRemove { get; init; }
    /// <summary>Ports to publish (`-p`); the engine chooses the free host ports and stores them in <see cref="ContainerSpec.Ports"/>.</summary>
    public List<MyDocker.Shared.Ports.PortRequest> Publish { get; init; } = [];
}

/// <summary>A network a container joins at create: its name or id, the address asked for (`--ip`), its aliases.</summary>
public sealed record NetworkAttachment(string Network, string? Ip = null)
{
    public List<string> Aliases { get; init; } = [];
}

/// <summary>A container's configuration (stored as JSON by <see cref="State.ContainerStore"/>). Null Cmd/Entrypoint/WorkingDir/User mean
/// "the image's".</summary>
public sealed record ContainerSpec
{
    public List<string>? Cmd { get; init; }
    public List<string>? Entrypoint { get; init; }
    public List<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    /// <summary>The UTS domain name (Docker's Domainname); null: none.</summary>
    public string? Domainname { get; init; }
    public List<BindSpec> Binds { get; init; } = [];
    /// <summary>Bytes; null means no limit.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>1e-9 CPUs; null means no limit.</summary>
    public long? NanoCpus { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    /// <summary>The command that runs (entrypoint + cmd), resolved against the image when the container was created.</summary>
    public List<string> Command { get; init; } = [];
    /// <summary>`-t`: the process gets a pseudo-terminal (conmon holds its master side).</summary>
    public bool Tty { get; init; }
    /// <summary>`-i`: the process's stdin is a pipe that an attached client writes to; it closes when that client
    /// detaches (Docker's StdinOnce, conmon's default).</summary>
    public bool OpenStdin { get; init; }
    /// <summary>`-d -i`: stdin stays open after an attached client detaches.</summary>
    public bool KeepStdinOpen { get; init; }
    /// <summary>Published ports with their host ports chosen; held from create to rm, in the firewall while running.</summary>
    public List<Ports.PublishedPort> Ports { get; init; } = [];
    /// <summary>`--security-opt` values as given (seccomp=…, no-new-privileges; see <see cref="Security.SecurityOptions"/>).</summary>
    public List<string> SecurityOpt { get; init; } = [];
    /// <summary>`--cap-add` and `--cap-drop`, normalised when the container is created ("CAP_NET_RAW", "ALL").</summary>
    public List<string> CapAdd { get; init; } = [];
    public List<string> CapDrop { get; init; } = [];
    /// <summary>`--pids-limit`. In a request null means the daemon's default and 0 or less no limit; as stored, the
    /// limit in force: 0 none (and null for a container created before the engine had limits: none either).</summary>
    public long? PidsLimit { get; init; }
    /// <summary>`--log-opt max-size` as given ("10m"), or the daemon's MyDocker:LogSizeMax when the container was created
    /// (as Docker copies its default log options into each container); null: no limit. Conmon's --log-size-max at each
    /// start (<see cref="Logs.LogConfigRules"/>).</summary>
    public string? LogMaxSize { get; init; }
    /// <summary>`--dns`: the container's own name servers (IP addresses). On a user-defined network they are the engine
    /// resolver's upstreams for this container (Docker's embedded DNS); on the default network they go into its
    /// resolv.conf. Empty: the host's. (Missing in rows written before the engine had them: empty.)</summary>
    public List<string> Dns { get; init; } = [];
    /// <summary>`--dns-search`: search domains for its resolv.conf; empty: the host's; ["."]: none.</summary>
    public List<string> DnsSearch { get; init; } = [];
    /// <summary>`--dns-option`: resolv.conf options ("ndots:2"); empty: the host's.</summary>
    public List<string> DnsOptions { get; init; } = [];
    /// <summary>`--add-host`: "NAME:ADDRESS" as Docker stores them; ADDRESS may be "host-gateway" (resolved when the
    /// files are written, <see cref="MyDocker.Engine.Containers.Dns.EtcFiles.ExtraHosts"/>).</summary>
    public List<string> ExtraHosts { get; init; } = [];
}

/// <summary>A bind mount HOST:CONTAINER[:ro].</summary>
public sealed record BindSpec(string Source, string Destination, bool ReadOnly)
{
    public override string ToString() => ReadOnly ? $"{Source}:{Destination}:ro" : $"{Source}:{Destination}";
}

/// <summary>A container with its primary endpoint's network (null when that network is gone) and the networks of all its
/// endpoints (<see cref="NetworksById"/>).</summary>
public sealed record ContainerView(Container Container, Networks.Network? Network)
{
    /// <summary>The records of the networks the container's endpoints are on, by id (one that is gone is missing).</summary>
    public IReadOnlyDictionary<string, Networks.Network> NetworksById { get; init; } = new Dictionary<string, Networks.Network>();

    /// <summary>The record of the network <paramref name="networkId"/> the container has an endpoint on, or null (gone).</summary>
    public Networks.Network? NetworkOf(string networkId) =>
        NetworksById.GetValueOrDefault(networkId) ?? (Network?.Id == networkId ? Network : null);

    /// <summary>The view of <paramref name="record"/> with its networks taken from <paramref name="networks"/>.</summary>
    public static ContainerView Of(Container record, IReadOnlyDictionary<string, Networks.Network> networks) =>
        new(record, networks.GetValueOrDefault(record.Primary.NetworkId))
        {
            NetworksById = record.Endpoints.Where(e => networks.ContainsKey(e.NetworkId)).ToDictionary(e => e.NetworkId, e => networks[e.NetworkId]),
        };

    public ContainerSpec Spec => Container.Spec;
    /// <summary>The command that runs (entrypoint + cmd, resolved against the image at create).</summary>
    public IReadOnlyList<string> Command => Spec.Command;
    public string Id => Container.Id;
    public string Name => Container.Name;
    public string NetworkName => Network?.Name ?? "";
    public System.Net.IPAddress? Gateway => Network?.Gateway;
    public int PrefixLength => Network?.Subnet.PrefixLength ?? 0;
}
