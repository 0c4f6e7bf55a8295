namespace MyDocker.Engine;

/// <summary>Settings of the engine (section "MyDocker" of appsettings.json; daemon flags override them).</summary>
public sealed class EngineOptions
{
    /// <summary>Persistent state: the SQLite database, later images and container bundles.</summary>
    public string DataRoot { get; set; } = DefaultDataRoot;
    /// <summary>Runtime state on tmpfs: the socket, pid file, netns mounts.</summary>
    public string ExecRoot { get; set; } = "/run/mydocker";

    /// <summary>Pools that networks created without --subnet are carved from, in order; empty means
    /// <see cref="DockerAddressPools"/>. (Starts empty because the configuration binder appends to a list it finds
    /// filled, so configured pools could never replace built-in ones.)</summary>
    public List<AddressPool> DefaultAddressPools { get; set; } = [];

    /// <summary>The pools in force: the configured ones, or Docker's defaults.</summary>
    public IReadOnlyList<AddressPool> AddressPools => DefaultAddressPools.Count > 0 ? DefaultAddressPools : DockerAddressPools;

    /// <summary>Docker's default address pools.</summary>
    public static readonly IReadOnlyList<AddressPool> DockerAddressPools =
    [
        new() { Base = "172.17.0.0/16", Size = 16 },
        new() { Base = "172.18.0.0/15", Size = 16 },
        new() { Base = "172.20.0.0/14", Size = 16 },
        new() { Base = "172.24.0.0/13", Size = 16 },
        new() { Base = "192.168.0.0/16", Size = 24 },
    ];

    /// <summary>The host's resolver configuration: networks may not contain its name servers (NetworkPlanner.NameServers).</summary>
    public string ResolvConfPath { get; set; } = "/etc/resolv.conf";

    /// <summary>The configured cgroup parent (MyDocker:CgroupParent); null or empty: <see cref="EffectiveCgroupParent"/> follows
    /// the data root. (A plain settable property: the configuration binder reads a property before it binds it, so a
    /// computed default here would be frozen to the data root of the moment.)</summary>
    public string? CgroupParent { get; set; }

    /// <summary>
    /// The cgroup (in every hierarchy) under which containers get theirs: /EffectiveCgroupParent/ID. The reconciler kills
    /// and removes what it finds there that no container record owns, so two daemons must never share one: unless
    /// configured, it follows the data root (<see cref="DefaultCgroupParent"/>).
    /// </summary>
    public string EffectiveCgroupParent => string.IsNullOrEmpty(CgroupParent) ? DefaultCgroupParent(DataRoot) : CgroupParent;

    public const string DefaultDataRoot = "/var/lib/mydocker";

    /// <summary>"mydocker" for the default data root, "mydocker-" + the first 12 hex digits of the SHA-256 of the data
    /// root's full path otherwise: the same daemon finds its containers again after a restart, another data root never
    /// sees them.</summary>
    public static string DefaultCgroupParent(string dataRoot)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataRoot));
        return full == DefaultDataRoot
            ? "mydocker"
            : "mydocker-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(full)))[..12];
    }

    /// <summary>Checks the settings a typo could make dangerous; throws <see cref="ArgumentException"/> naming the fix.</summary>
    public void Validate()
    {
        // Relative to each hierarchy's root, one or more plain names: an absolute path, "..", or an empty element would
        // put containers (and the reconciler's clean-up) somewhere else in the cgroup tree.
        string parent = EffectiveCgroupParent;
        if (parent.Split('/').Any(e => e.Length == 0 || e is "." or ".." || !e.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@' or ':')))
            throw new ArgumentException(
                $"MyDocker:CgroupParent '{parent}' is not a relative cgroup path of names made of letters, digits and _-.@: (e.g. 'mydocker' or 'machine.slice/mydocker'); fix it or remove it to use the default");
    }

    /// <summary>
    /// The most processes and threads a container may hold unless it is created with --pids-limit (0 or less: no
    /// limit). A fork bomb in one container then cannot take the host's pids, which the daemon needs to spawn runc and
    /// conmon. Podman's default is 2048 (containers.conf pids_limit); Docker sets none.
    /// </summary>
    public long DefaultPidsLimit { get; set; } = 2048;
    /// <summary>Docker's log max-size ("100m") for containers created without --log-opt max-size: conmon starts a
    /// container's log afresh when it would grow past it (<see cref="Containers.Logs.LogConfigRules"/>). Null or empty:
    /// no limit, the default of Docker and Podman (a limit drops old output without asking).</summary>
    public string? LogSizeMax { get; set; }

    /// <summary>The OCI runtime and the monitor (DESIGN.md §4.3).</summary>
    public string RuntimePath { get; set; } = "/usr/sbin/runc";
    public string ConmonPath { get; set; } = "/usr/bin/conmon";

    /// <summary>The name resolver (mydocker-resolver, issue 13). Null or empty: the one scripts/build.sh publishes beside
    /// the daemon, artifacts/resolver/mydocker-resolver.</summary>
    public string? ResolverPath { get; set; }

    public string EffectiveResolverPath => string.IsNullOrEmpty(ResolverPath)
        ? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "resolver", "mydocker-resolver"))
        : ResolverPath;

    public string DatabasePath => Path.Combine(DataRoot, "mydocker.db");
}

/// <summary>A block of addresses split into subnets of prefix length <see cref="Size"/>.</summary>
public sealed class AddressPool
{
    public string Base { get; set; } = "";
    public int Size { get; set; } = 24;
}
