using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Writes an OCI runtime spec (config.json, runtime-spec 1.0.2 as runc 1.1 reads it) with Docker's defaults or
/// tighter: moby's oci.DefaultLinuxSpec (mounts, masked and read-only paths) and daemon/oci_linux.go (PATH, HOSTNAME,
/// resources, sysctls, recursive read-only binds), a capability set and a seccomp profile, a pids limit, the
/// container's own RLIMIT_NOFILE and OOM priority (what each is: <see cref="RuntimeSpec"/>). Pure apart from reading
/// the rootfs's /etc/passwd and /etc/group when a user is named.
/// </summary>
public static class OciSpecBuilder
{
    /// <summary>Files in the bundle directory bind-mounted over the image's, as Docker does.</summary>
    public static readonly IReadOnlyList<(string BundleFile, string Destination)> EtcFiles =
    [
        ("hosts", "/etc/hosts"),
        ("hostname", "/etc/hostname"),
        ("resolv.conf", "/etc/resolv.conf"),
    ];

    /// <summary>Docker's PATH for a container whose image sets none (moby oci.DefaultPathEnv).</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// moby's current list (daemon/pkg/oci/defaults.go) plus Podman's /sys/fs/selinux (containers/common
    /// pkg/config/default.go). /proc/interrupts and the per-CPU thermal_throttle counters leak other tenants' activity
    /// (GHSA-6fw5-f8r9-fgfm); runc masks paths, not globs, so the CPUs' directories are listed from the host once, as
    /// moby does. runc skips a masked path that does not exist in the container.
    /// </summary>
    private static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap",
        "/sys/firmware", "/sys/fs/selinux",
        .. ThermalThrottlePaths("/sys/devices/system/cpu"),
    ];

    /// <summary>Lets every group open ICMP echo sockets, so `ping` works without CAP_NET_RAW (moby daemon/oci_linux.go
    /// sets it for every container with its own network namespace). runc writes it inside the container's netns.</summary>
    private static readonly IReadOnlyDictionary<string, string> Sysctls = new Dictionary<string, string>
    {
        ["net.ipv4.ping_group_range"] = "0 2147483647",
    };

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The CFS period Docker uses with --cpus (100 ms).</summary>
    public const long CpuPeriodMicros = 100_000;

    /// <param name="userSource">Who controls the rootfs's /etc/passwd, for messages (e.g. "image 'app'").</param>
    public static string Build(RuntimeSpec spec, string rootfsPath, string userSource = "the image")
    {
        if (spec.Args.Count == 0)
            throw EngineException.Invalid($"container {spec.Id}: no command given and the image has none; give one after the image name");
        var user = UserLookup.Resolve(spec.User, rootfsPath, userSource);

        var env = spec.Env.ToList();
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Insert(0, DefaultPath);
        if (!env.Any(e => e.StartsWith("HOSTNAME=", StringComparison.Ordinal))) env.Insert(1, "HOSTNAME=" + spec.Hostname);

        var caps = Strings(spec.Capabilities);
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = spec.Terminal,
                ["user"] = new JsonObject
                {
                    ["uid"] = user.Uid,
                    ["gid"] = user.Gid,
                    ["additionalGids"] = new JsonArray([.. user.AdditionalGids.Select(g => (JsonNode)JsonValue.Create(g))]),
                },
                ["args"] = Strings(spec.Args),
                ["env"] = Strings(env),
                ["cwd"] = string.IsNullOrEmpty(spec.WorkingDir) ? "/" : spec.WorkingDir,
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = caps.DeepClone(),
                    ["effective"] = caps.DeepClone(),
                    ["permitted"] = caps.DeepClone(),
                },
                ["noNewPrivileges"] = spec.NoNewPrivileges,
            },
            ["root"] = new JsonObject { ["path"] = rootfsPath, ["readonly"] = false },
            ["hostname"] = spec.Hostname,
            ["mounts"] = Mounts(spec),
            ["linux"] = new JsonObject
            {
                ["resources"] = Resources(spec),
                ["cgroupsPath"] = $"/{spec.CgroupParent}/{spec.Id}",
                ["namespaces"] = Namespaces(spec),
                ["maskedPaths"] = Strings(MaskedPaths),
                ["readonlyPaths"] = Strings(ReadonlyPaths),
                ["sysctl"] = new JsonObject([.. Sysctls.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
            },
        };
        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            // runc 1.1 ignores the spec's "domainname" field (tried: the container sees "(none)"); it sets the
            // UTS-namespaced sysctl kernel.domainname, which it allows when the container has its own UTS namespace.
            config["linux"]!["sysctl"]!["kernel.domainname"] = spec.Domainname;
        }
        var process = config["process"]!.AsObject();
        if (spec.Nofile is var (soft, hard))
            process["rlimits"] = new JsonArray(new JsonObject { ["type"] = "RLIMIT_NOFILE", ["hard"] = hard, ["soft"] = soft });
        if (spec.OomScoreAdj is { } oom) process["oomScoreAdj"] = oom;
        if (spec.Seccomp is { } seccomp) config["linux"]!["seccomp"] = seccomp.DeepClone();
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The thermal_throttle directory of every CPU under <paramref name="cpuDir"/> that has one.</summary>
    public static IEnumerable<string> ThermalThrottlePaths(string cpuDir) =>
        !Directory.Exists(cpuDir) ? [] : Directory.EnumerateDirectories(cpuDir, "cpu*")
            .Where(d => Path.GetFileName(d)[3..] is { Length: > 0 } n && n.All(char.IsAsciiDigit))
            .Select(d => Path.Combine(d, "thermal_throttle"))
            .Where(Directory.Exists)
            .Order(StringComparer.Ordinal)
            .Select(p => "/sys/devices/system/cpu/" + Path.GetRelativePath(cpuDir, p));

    private static JsonArray Namespaces(RuntimeSpec spec)
    {
        var namespaces = new JsonArray(Ns("pid"), Ns("ipc"), Ns("uts"), Ns("mount"),
            new JsonObject { ["type"] = "network", ["path"] = spec.NetnsPath });
        // On cgroup v1 runc binds the container's own cgroup directories read-only at /sys/fs/cgroup, so a namespace
        // adds nothing; on a pure v2 host /proc/self/cgroup and the cgroup2 mount would show the host's tree without
        // one (Docker uses a private cgroupns on v2 by default).
        if (spec.CgroupNamespace) namespaces.Add(Ns("cgroup"));
        return namespaces;
    }

    private static JsonArray Mounts(RuntimeSpec spec)
    {
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro", "nosuid", "noexec", "nodev"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=67108864"),
        };
        foreach (var (file, destination) in EtcFiles)
            mounts.Add(Mount(destination, "bind", Path.Combine(spec.BundleDir, file), "rbind", "rprivate"));
        // "rro": read-only through every submount (mount_setattr with AT_RECURSIVE, runc >= 1.1, Linux >= 5.12); a plain
        // "ro" leaves a mount under the source (an NFS share, a tmpfs) writable. Docker >= 25 does the same.
        foreach (var m in spec.Mounts)
            mounts.Add(m.ReadOnly
                ? Mount(m.Destination, "bind", m.Source, "rbind", "rprivate", "rro")
                : Mount(m.Destination, "bind", m.Source, "rbind", "rprivate"));
        return mounts;
    }

    private static JsonObject Resources(RuntimeSpec spec)
    {
        // Deny every device, then runc adds its default allow-list (null, zero, full, tty, random, urandom, pts, ptmx).
        var resources = new JsonObject
        {
            ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }),
        };
        if (spec.MemoryBytes is { } memory)
            // swap == limit: memory+swap together may not exceed the limit, so `-m 32m` means 32 MiB in all (Docker's
            // default when --memory-swap is not given is twice the limit; a hard limit is what the user asked for).
            resources["memory"] = new JsonObject { ["limit"] = memory, ["swap"] = memory };
        if (spec.NanoCpus is { } nano)
            resources["cpu"] = new JsonObject { ["quota"] = nano * CpuPeriodMicros / 1_000_000_000, ["period"] = CpuPeriodMicros };
        if (spec.PidsLimit is long pids and > 0) resources["pids"] = new JsonObject { ["limit"] = pids };
        return resources;
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = Strings(options),
    };

    private static JsonObject Ns(string type) => new() { ["type"] = type };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
