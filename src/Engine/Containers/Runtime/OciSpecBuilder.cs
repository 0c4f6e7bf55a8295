using System.Text.Json;
using System.Text.Json.Nodes;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Writes an OCI runtime spec (config.json, runtime-spec 1.0.2 as runc 1.1 reads it) with Docker's defaults:
/// moby's oci.DefaultLinuxSpec (mounts, masked and read-only paths, capabilities) and daemon/oci_linux.go (PATH,
/// HOSTNAME, resources). Pure apart from reading the rootfs's /etc/passwd and /etc/group when a user is named.
/// No rlimits are set: the container inherits the daemon's, since root here cannot raise a hard limit (FACTS.md).
/// No seccomp profile yet (Docker's default profile is a later step).
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

    /// <summary>Docker's default capability set (moby oci/caps.DefaultCapabilities).</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

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

        var caps = Strings(DefaultCapabilities);
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
                ["noNewPrivileges"] = false,
            },
            ["root"] = new JsonObject { ["path"] = rootfsPath, ["readonly"] = false },
            ["hostname"] = spec.Hostname,
            ["mounts"] = Mounts(spec),
            ["linux"] = new JsonObject
            {
                ["resources"] = Resources(spec),
                ["cgroupsPath"] = $"/{spec.CgroupParent}/{spec.Id}",
                ["namespaces"] = new JsonArray(
                    Ns("pid"), Ns("ipc"), Ns("uts"), Ns("mount"),
                    new JsonObject { ["type"] = "network", ["path"] = spec.NetnsPath }),
                ["maskedPaths"] = Strings(MaskedPaths),
                ["readonlyPaths"] = Strings(ReadonlyPaths),
            },
        };
        if (!string.IsNullOrEmpty(spec.Domainname))
        {
            // runc 1.1 ignores the spec's "domainname" field (tried: the container sees "(none)"); it sets the
            // UTS-namespaced sysctl kernel.domainname, which it allows when the container has its own UTS namespace.
            var linux = config["linux"]!.AsObject();
            var sysctl = linux["sysctl"] as JsonObject ?? [];
            sysctl["kernel.domainname"] = spec.Domainname;
            linux["sysctl"] = sysctl;
        }
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
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
        foreach (var m in spec.Mounts)
            mounts.Add(m.ReadOnly
                ? Mount(m.Destination, "bind", m.Source, "rbind", "rprivate", "ro")
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
