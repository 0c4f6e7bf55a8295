using System.Globalization;

namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// A container's capability set: the default one, changed by `--cap-add`/`--cap-drop` with Docker's rules (moby
/// daemon/pkg/oci/caps TweakCapabilities): names with or without "CAP_", any case; "ALL" in --cap-add means every
/// capability but the dropped ones, "ALL" in --cap-drop means only the added ones. Pure; unit-tested.
/// </summary>
public static class Capabilities
{
    public const string All = "ALL";

    /// <summary>
    /// Docker's 14 (moby caps.DefaultCapabilities) without CAP_MKNOD (device nodes; runc 1.1 still allows creating any
    /// device in the device cgroup) and CAP_AUDIT_WRITE (the host's audit log), as Podman and CRI-O drop them
    /// (containers/common#1240). CAP_NET_RAW stays, unlike theirs: Debian's busybox 1.35 `ping` opens only a raw socket
    /// (no ICMP datagram fallback), and the seed's transcript has containers ping each other; `--cap-drop NET_RAW`
    /// takes it away, and the ping_group_range sysctl every container gets keeps datagram-socket pings working then.
    /// </summary>
    public static readonly IReadOnlyList<string> Default =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
        "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
    ];

    /// <summary>Every capability of Linux 6.x, indexed by its number (include/uapi/linux/capability.h).</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>"net_raw" → "CAP_NET_RAW", "all" → "ALL" (the docker CLI's normalisation).</summary>
    public static string Normalize(string name)
    {
        string upper = name.Trim().ToUpperInvariant();
        return upper == All || upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    /// <summary>Normalises and checks names; refuses an unknown one by name.</summary>
    public static List<string> Validate(IEnumerable<string> names, string flag)
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            string n = Normalize(name);
            if (n != All && !Known.Contains(n))
                throw EngineException.Invalid($"{flag} '{name}': no such capability; use a name such as NET_RAW or SYS_PTRACE (see capabilities(7)), or ALL");
            if (!result.Contains(n)) result.Add(n);
        }
        return result;
    }

    /// <summary>
    /// The container's set. <paramref name="available"/> is what the daemon itself holds: a capability it lacks cannot be
    /// handed on (runc's capset would fail at start), so naming one is refused here and "ALL" means all of those.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> add, IEnumerable<string> drop, IReadOnlySet<string> available)
    {
        var adds = Validate(add, "--cap-add");
        var drops = Validate(drop, "--cap-drop");
        foreach (var name in adds.Where(n => n != All && !available.Contains(n)))
            throw EngineException.Invalid($"--cap-add {name}: the daemon itself does not hold this capability, so it cannot give it to a container");
        IEnumerable<string> caps;
        if (adds.Contains(All)) caps = Known.Where(available.Contains).Where(c => !drops.Contains(c));
        else if (drops.Contains(All)) caps = adds;
        else caps = Default.Where(c => !drops.Contains(c)).Concat(adds);
        return caps.Distinct().ToList();
    }

    /// <summary>The capabilities in a /proc/PID/status mask (CapPrm, CapBnd: hex, bit N is capability N).</summary>
    public static IReadOnlySet<string> FromMask(ulong mask) =>
        Known.Where((_, bit) => (mask & (1UL << bit)) != 0).ToHashSet();

    /// <summary>What this process may hand on: its permitted set (runc, its child, raises nothing beyond it).</summary>
    public static IReadOnlySet<string> OfThisProcess()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapPrm:", StringComparison.Ordinal))
                return FromMask(ulong.Parse(line["CapPrm:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        return Known.ToHashSet();
    }
}
