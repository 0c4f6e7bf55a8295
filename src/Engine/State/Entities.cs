using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.State;

/// <summary>A bridge network as stored in the database.</summary>
internal sealed class NetworkEntity : INamedEntity
{
    /// <summary>64 lowercase hex digits, like Docker's ids.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Driver { get; set; } = "bridge";
    /// <summary>Canonical CIDR, host bits clear ("10.0.0.0/24").</summary>
    public required string Subnet { get; set; }
    public required string Gateway { get; set; }
    public string? IpRange { get; set; }
    /// <summary>The Linux bridge device: "md-" + 12 hex of the id unless the user named it with -o bridge.name.</summary>
    public required string Bridge { get; set; }
    public bool Internal { get; set; }
    public DateTimeOffset Created { get; set; }
    public NetworkPhase Phase { get; set; }
    /// <summary>Driver options as given (Docker's Options map), JSON.</summary>
    public string OptionsJson { get; set; } = "{}";
    public string LabelsJson { get; set; } = "{}";
}

/// <summary>An address lease (table owned by <see cref="Networks.Ipam.SqliteIpamStore"/>; mapped here so the migration creates it).</summary>
internal sealed class IpamLeaseEntity
{
    public required string PoolId { get; set; }
    public long Address { get; set; }
    public required string OwnerId { get; set; }
    public required string Since { get; set; }
}

/// <summary>The round-robin cursor of a pool (last address handed out).</summary>
internal sealed class IpamCursorEntity
{
    public required string PoolId { get; set; }
    public long Address { get; set; }
}

/// <summary>An image: its unpacked layers (shared, under data-root/image/layers) and the defaults it gives a container.</summary>
internal sealed class ImageEntity
{
    /// <summary>"sha256:" + 64 hex: the digest of the image config (docker save / OCI) or of the imported tarball.</summary>
    public required string Id { get; set; }
    /// <summary>Layer digests ("sha256:..."), bottom first, JSON array; each names a directory under image/layers.</summary>
    public string LayersJson { get; set; } = "[]";
    /// <summary>Cmd, Entrypoint, Env, WorkingDir, User of the image config, JSON (Docker's "Config" object).</summary>
    public string ConfigJson { get; set; } = "{}";
    public DateTimeOffset Created { get; set; }
    /// <summary>Unpacked size in bytes, summed over layers.</summary>
    public long Size { get; set; }
}

/// <summary>A name:tag pointing at an image ("busybox:latest"). One row per tag, so a tag moves atomically.</summary>
internal sealed class ImageTagEntity
{
    public required string Reference { get; set; }
    public required string ImageId { get; set; }
}

/// <summary>A container as stored in the database.</summary>
internal sealed class ContainerEntity : INamedEntity
{
    /// <summary>64 lowercase hex digits.</summary>
    public required string Id { get; set; }
    /// <summary>Unique; Docker's rules ([a-zA-Z0-9][a-zA-Z0-9_.-]*).</summary>
    public required string Name { get; set; }
    /// <summary>The image as the user named it ("busybox").</summary>
    public required string Image { get; set; }
    /// <summary>The image's id at create time.</summary>
    public required string ImageId { get; set; }
    /// <summary>What the container was asked to be (command, env, mounts, limits, network), JSON: the engine's ContainerSpec.</summary>
    public string SpecJson { get; set; } = "{}";
    public ContainerPhase Phase { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    /// <summary>The container's init process, as seen from the daemon's pid namespace, while Running.</summary>
    public int? Pid { get; set; }
    /// <summary>The monitor (conmon) of the current run, while Running.</summary>
    public int? MonitorPid { get; set; }
    public int? ExitCode { get; set; }
    public bool OomKilled { get; set; }
    /// <summary>Why the last start failed, in plain words.</summary>
    public string? Error { get; set; }
    /// <summary>Remove the container when it exits (--rm).</summary>
    public bool AutoRemove { get; set; }
    public int RestartCount { get; set; }
}

/// <summary>A container's attachment to one network (<see cref="Endpoint"/>); one row per (container, network).</summary>
internal sealed class ContainerEndpointEntity
{
    public required string ContainerId { get; set; }
    public required string NetworkId { get; set; }
    /// <summary>The order of the container's endpoints: the lowest is the primary (default route, published ports).</summary>
    public int Position { get; set; }
    /// <summary>N of ethN in the container; unique per container.</summary>
    public int InterfaceIndex { get; set; }
    /// <summary>Leased at create or connect, released at rm or disconnect.</summary>
    public string? IpAddress { get; set; }
    public string? MacAddress { get; set; }
    /// <summary>The user's aliases on this network, JSON array.</summary>
    public string AliasesJson { get; set; } = "[]";
    /// <summary>The `--ip` asked for, if any.</summary>
    public string? StaticIp { get; set; }
    public EndpointPhase Phase { get; set; }
}

/// <summary>An engine event (container and network changes), kept for the /events stream's history and the dashboard.
/// Stored form of <see cref="Events.EngineEvent"/>; mapped only by <see cref="EventMapping"/>.</summary>
internal sealed class EventEntity
{
    public long Id { get; set; }
    /// <summary>"container", "network" or "image".</summary>
    public required string Type { get; set; }
    /// <summary>Docker's action words: create, start, die, stop, kill, destroy, connect, disconnect, remove, ...</summary>
    public required string Action { get; set; }
    public required string ActorId { get; set; }
    /// <summary>Docker's Actor.Attributes (name, image, exitCode, ...), JSON.</summary>
    public string AttributesJson { get; set; } = "{}";
    /// <summary>Unix time in nanoseconds (Docker's timeNano).</summary>
    public long TimeNano { get; set; }
}
