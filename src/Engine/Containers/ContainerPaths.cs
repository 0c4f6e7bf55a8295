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

    /// <summary>Writes the container's /etc/hosts, /etc/hostname and /etc/resolv.conf (<see cref="Dns.EtcFiles"/>). Each is
    /// rewritten in place (truncated and written, never replaced by a rename): runc bind-mounts these very files, and a
    /// running container keeps seeing the inode it was given.</summary>
    public void WriteEtcFiles(Dns.EtcContent content)
    {
        File.WriteAllText(Hosts, content.Hosts);
        File.WriteAllText(Hostname, content.Hostname);
        File.WriteAllText(ResolvConf, content.ResolvConf);
    }
}
