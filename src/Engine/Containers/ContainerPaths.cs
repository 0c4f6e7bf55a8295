namespace MyDocker.Engine.Containers;

/// <summary>Where a container's files live. The container directory is also its OCI bundle (config.json + rootfs).
/// Persistent parts (upper layer, log, bundle) are under the data root; the netns mount is under the exec root (tmpfs).</summary>
public sealed record ContainerPaths(string Dir, string NetnsName, string NetnsPath)
{
    public static ContainerPaths For(EngineOptions options, string id) =>
        new(Path.Combine(options.DataRoot, "containers", id), id, Path.Combine(NetnsDir(options), id));

    /// <summary>The directory of the engine's netns mounts (NetnsStore's).</summary>
    public static string NetnsDir(EngineOptions options) => Path.Combine(options.ExecRoot, "netns");

    public static string ContainersDir(EngineOptions options) => Path.Combine(options.DataRoot, "containers");

    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string Upper => Path.Combine(Dir, "upper");
    public string Work => Path.Combine(Dir, "work");
    public string Config => Path.Combine(Dir, "config.json");
    public string Log => Path.Combine(Dir, "container.log");
    public string Hosts => Path.Combine(Dir, "hosts");
    public string Hostname => Path.Combine(Dir, "hostname");
    public string ResolvConf => Path.Combine(Dir, "resolv.conf");

    /// <summary>Writes /etc/hosts, /etc/hostname and /etc/resolv.conf for the container (bind-mounted by the spec).</summary>
    public void WriteEtcFiles(string hostname, string name, string? address)
    {
        var hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
        if (address is not null) hosts += $"{address}\t{hostname}{(name != hostname ? "\t" + name : "")}\n";
        File.WriteAllText(Hosts, hosts);
        File.WriteAllText(Hostname, hostname + "\n");
        File.WriteAllText(ResolvConf, ResolvConfFromHost(File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : ""));
    }

    /// <summary>The host's resolv.conf without loopback name servers, which mean nothing inside the container's own
    /// netns (Docker filters them the same way, libnetwork/resolvconf); Docker's public fallback if none is left.</summary>
    public static string ResolvConfFromHost(string host)
    {
        static bool Loopback(string line) =>
            line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is ["nameserver", var a, ..]
            && (a.StartsWith("127.") || a == "::1");
        var kept = host.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0 && !Loopback(l)).ToList();
        if (!kept.Any(l => l.TrimStart().StartsWith("nameserver")))
            kept.AddRange(["nameserver 8.8.8.8", "nameserver 8.8.4.4"]);
        return string.Join('\n', kept) + "\n";
    }
}
