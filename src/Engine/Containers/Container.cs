using System.Net;

namespace MyDocker.Engine.Containers;

/// <summary>Where a container is in its life. Creating and Removing are operations a crash can interrupt
/// (rolled back / finished by the reconciler); the others are states the runtime reports.</summary>
public enum ContainerPhase
{
    /// <summary>Recorded; rootfs, netns, veth or lease possibly half-made. After a crash: rolled back.</summary>
    Creating = 0,
    /// <summary>Everything made, never started.</summary>
    Created = 1,
    /// <summary>Its process runs under a monitor (conmon).</summary>
    Running = 2,
    /// <summary>Its process ended; ExitCode says how. The address and rootfs stay until rm.</summary>
    Exited = 3,
    /// <summary>Teardown started. After a crash: teardown finished.</summary>
    Removing = 4,
}

/// <summary>Where a container's attachment to one network is in a connect or disconnect that a crash can interrupt.</summary>
public enum EndpointPhase
{
    /// <summary>Made (or, while the container is Creating, being made with it: the container's phase rules).</summary>
    Attached = 0,
    /// <summary>`network connect` recorded it; lease, veth possibly half-made. After a crash: rolled back.</summary>
    Connecting = 1,
    /// <summary>`network disconnect` started its teardown. After a crash: teardown finished.</summary>
    Disconnecting = 2,
}

/// <summary>A container's attachment to a network; a container has one per network it is on
/// (<see cref="Container.Endpoints"/>).</summary>
/// <param name="NetworkId">The network's id (set from create on).</param>
/// <param name="Ip">Leased at create or connect, released at rm or disconnect (a stopped container keeps its address);
/// null while Creating/Connecting.</param>
/// <param name="Mac">The interface's MAC as Docker prints it ("02:42:0a:00:00:02"); null while Creating/Connecting.</param>
public sealed record Endpoint(string NetworkId, IPAddress? Ip, string? Mac)
{
    /// <summary>N of the container's interface ethN: the lowest index free when the endpoint was made.</summary>
    public int InterfaceIndex { get; init; }

    /// <summary>The interface's name inside the container ("eth0", "eth1", …), as Docker names them.</summary>
    public string Interface => InterfaceName(InterfaceIndex);

    /// <summary>`--network-alias`/`--alias` values as given (each a valid DNS label, see <see cref="EndpointAliases"/>):
    /// names the container answers to on this network besides its own.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The address the user asked for (`--ip`), kept for as long as the endpoint exists; null: IPAM chose.</summary>
    public IPAddress? StaticIp { get; init; }

    public EndpointPhase Phase { get; init; } = EndpointPhase.Attached;

    public static string InterfaceName(int index) => "eth" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The most interfaces a container may have (eth0 … eth255): the host veth name spends two hex digits on
    /// the index (<see cref="Networks.Bridge.EndpointDriver.HostVethName(string, int)"/>).</summary>
    public const int MaxInterfaces = 256;

    public bool Equals(Endpoint? other) =>
        other is not null && NetworkId == other.NetworkId && Equals(Ip, other.Ip) && Mac == other.Mac && InterfaceIndex == other.InterfaceIndex
        && Aliases.SequenceEqual(other.Aliases) && Equals(StaticIp, other.StaticIp) && Phase == other.Phase;

    public override int GetHashCode() => HashCode.Combine(NetworkId, Ip, InterfaceIndex);
}

/// <summary>A container: what it was asked to be and where it is in its life. Immutable; stored and read back by
/// <see cref="State.ContainerStore"/>, the only place that sees its database form.</summary>
/// <param name="Id">64 lowercase hex digits.</param>
/// <param name="Name">Unique; Docker's rules ([a-zA-Z0-9][a-zA-Z0-9_.-]*).</param>
/// <param name="Image">The image as the user named it ("busybox").</param>
/// <param name="ImageId">The image's id at create time.</param>
public sealed record Container(
    string Id, string Name, string Image, string ImageId, ContainerSpec Spec, IReadOnlyList<Endpoint> Endpoints, ContainerPhase Phase,
    DateTimeOffset Created)
{
    /// <summary>The first endpoint: the one whose gateway is the default route and whose address published ports lead
    /// to. Every container has at least one (disconnecting the last network is refused).</summary>
    public Endpoint Primary => Endpoints[0];

    /// <summary>The endpoint on <paramref name="networkId"/>, or null.</summary>
    public Endpoint? EndpointOn(string networkId) => Endpoints.FirstOrDefault(e => e.NetworkId == networkId);

    /// <summary>The names the container answers to on <paramref name="endpoint"/>'s network, as Docker 25 (API 1.44)
    /// lists them in DNSNames: its name, that endpoint's aliases, its short id and its hostname, each once
    /// (case-insensitive, as DNS compares names).</summary>
    public IReadOnlyList<string> NamesOn(Endpoint endpoint) =>
        new[] { Name }.Concat(endpoint.Aliases).Append(Id[..12]).Append(Spec.Hostname ?? Id[..12])
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The container's init process, as seen from the daemon's pid namespace, while Running.</summary>
    public int? Pid { get; init; }
    /// <summary>The monitor (conmon) of the current run, while Running.</summary>
    public int? MonitorPid { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    /// <summary>Why the last start failed, in plain words.</summary>
    public string? Error { get; init; }
    /// <summary>Remove the container when it exits (--rm).</summary>
    public bool AutoRemove { get; init; }
    public int RestartCount { get; init; }
}
