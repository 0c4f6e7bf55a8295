using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>A host path bind-mounted into the container (`-v HOST:CTR[:ro]`).</summary>
public sealed record BindMount(string Source, string Destination, bool ReadOnly);

/// <summary>
/// What the runtime layer needs to write a container's config.json. The caller (the container service) owns the
/// bundle directory <see cref="BundleDir"/>: it holds the rootfs mount and the three files
/// <see cref="OciSpecBuilder.EtcFiles"/> (hosts, hostname, resolv.conf) that are bind-mounted over the image's.
/// </summary>
/// <param name="Id">Container id; also the runc id and the last element of the cgroup path.</param>
/// <param name="Args">The process's argv; must not be empty.</param>
/// <param name="Env">"KEY=VALUE" entries; PATH defaults to Docker's when absent.</param>
/// <param name="WorkingDir">Absolute path in the container; null or empty means "/".</param>
/// <param name="User">"uid[:gid]" or "name[:group]" looked up in the rootfs; null or empty means root.</param>
/// <param name="NetnsPath">The network namespace to join (a bind mount under the exec root).</param>
/// <param name="CgroupParent">First element of the cgroups path "/{CgroupParent}/{Id}".</param>
/// <param name="MemoryBytes">Memory limit; swap is set to the same value, so it is the limit of memory and swap together.</param>
/// <param name="NanoCpus">CPU limit in billionths of a CPU (`--cpus 1.5` is 1,500,000,000).</param>
/// <param name="Terminal">The process runs on a pseudo-terminal (the runtime must then be given a console socket,
/// which conmon does with -t).</param>
/// <param name="Domainname">The UTS domain name; null: none.</param>
public sealed record RuntimeSpec(
    string Id,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Env,
    string? WorkingDir,
    string? User,
    string Hostname,
    string NetnsPath,
    string BundleDir,
    IReadOnlyList<BindMount> Mounts,
    long? MemoryBytes = null,
    long? NanoCpus = null,
    string CgroupParent = RuntimeOptions.DefaultCgroupParent,
    bool Terminal = false,
    string? Domainname = null)
{
    /// <summary>The capability set (bounding, effective and permitted); <see cref="Security.Capabilities.Default"/> unless changed.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = Security.Capabilities.Default;

    /// <summary>The OCI <c>linux.seccomp</c> object (see <see cref="Security.SeccompProfiles.For"/>); null runs the
    /// container without a filter (`--security-opt seccomp=unconfined`).</summary>
    public JsonObject? Seccomp { get; init; } = Security.SeccompProfiles.For(Security.SeccompProfiles.Builtin, Security.Capabilities.Default);

    /// <summary>`--security-opt no-new-privileges`: setuid binaries and file capabilities grant nothing.</summary>
    public bool NoNewPrivileges { get; init; }

    /// <summary>The most processes and threads the container may hold (cgroup pids.max); null or 0 is no limit.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>RLIMIT_NOFILE (soft, hard); null leaves the container the limits it inherits.</summary>
    public (ulong Soft, ulong Hard)? Nofile { get; init; }

    /// <summary>The container's oom_score_adj; null leaves it the score it inherits from the daemon.</summary>
    public int? OomScoreAdj { get; init; }

    /// <summary>A private cgroup namespace (on a pure cgroup v2 host, see <see cref="CgroupDirs.IsUnifiedOnly"/>).</summary>
    public bool CgroupNamespace { get; init; }
}
