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

/// <summary>A container's attachment to a network. One per container today; its own record because a container on
/// several networks will have one each.</summary>
/// <param name="NetworkId">The network's id (set from create on).</param>
/// <param name="Ip">Leased at create, released at rm (a stopped container keeps its address); null while Creating.</param>
/// <param name="Mac">eth0's MAC as Docker prints it ("02:42:0a:00:00:02"); null while Creating.</param>
public sealed record Endpoint(string NetworkId, IPAddress? Ip, string? Mac);

/// <summary>A container: what it was asked to be and where it is in its life. Immutable; stored and read back by
/// <see cref="State.ContainerStore"/>, the only place that sees its database form.</summary>
/// <param name="Id">64 lowercase hex digits.</param>
/// <param name="Name">Unique; Docker's rules ([a-zA-Z0-9][a-zA-Z0-9_.-]*).</param>
/// <param name="Image">The image as the user named it ("busybox").</param>
/// <param name="ImageId">The image's id at create time.</param>
public sealed record Container(
    string Id, string Name, string Image, string ImageId, ContainerSpec Spec, Endpoint Endpoint, ContainerPhase Phase,
    DateTimeOffset Created)
{
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
