using System.Text.Json.Serialization;

namespace MyDocker.Shared.Api;

// Shapes of the Docker Engine API (https://docs.docker.com/reference/api/engine/), container section. Field names are
// Docker's: the docker CLI decodes them by name. Fields Docker has and we do not use are left out; System.Text.Json
// ignores unknown fields the docker CLI sends.

/// <summary>Body of <c>POST /containers/create?name=NAME</c>.</summary>
public sealed class ContainerCreateRequest
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    /// <summary>Close stdin when the attached client detaches (`run -i`, not `run -d -i`).</summary>
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public List<string>? Entrypoint { get; set; }
    public string? Image { get; set; }
    public string? WorkingDir { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    /// <summary>Keys like "80/tcp" (values are empty objects in Docker's API).</summary>
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    public HostConfig? HostConfig { get; set; }
    public NetworkingConfig? NetworkingConfig { get; set; }
}

/// <summary>Docker's <c>{}</c> values (ExposedPorts, Volumes).</summary>
public sealed class EmptyObject;

public sealed class HostConfig
{
    /// <summary>"HOST:CONTAINER[:ro]" bind mounts.</summary>
    public List<string>? Binds { get; set; }
    /// <summary>"bridge"/"default" or a network name or id.</summary>
    public string? NetworkMode { get; set; }
    public bool AutoRemove { get; set; }
    /// <summary>Bytes; 0 means no limit.</summary>
    public long Memory { get; set; }
    public long MemorySwap { get; set; }
    /// <summary>CPU quota in units of 1e-9 CPUs; 0 means no limit.</summary>
    public long NanoCpus { get; set; }
    /// <summary>"80/tcp" → host bindings (published ports: the next milestone).</summary>
    public Dictionary<string, List<PortBinding>?>? PortBindings { get; set; }
    public RestartPolicy? RestartPolicy { get; set; }
    /// <summary>Refused when true: a privileged container is not confined at all.</summary>
    public bool Privileged { get; set; }
    /// <summary>"seccomp=unconfined", "seccomp=PROFILE-JSON", "no-new-privileges[=true|false]".</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<string>? SecurityOpt { get; set; }
    /// <summary>Capability names ("NET_RAW", "CAP_NET_RAW" or "ALL").</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<string>? CapAdd { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public List<string>? CapDrop { get; set; }
    /// <summary>null or 0: the daemon's default (the docker CLI sends 0 when --pids-limit is absent); -1: no limit.
    /// Inspect shows the limit in force, null for none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public long? PidsLimit { get; set; }
    /// <summary>The docker CLI sends empty lists for `--security-opt systempaths=unconfined`; refused.</summary>
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }
    /// <summary>`--log-driver`/`--log-opt`.</summary>
    public LogConfig? LogConfig { get; set; }
    /// <summary>`--dns`: name servers (IP addresses). Left out of a request when not given (the daemon reads that as
    /// none); inspect always shows the list, [] when empty, as Docker.</summary>
    public List<string>? Dns { get; set; }
    /// <summary>`--dns-search`: search domains.</summary>
    public List<string>? DnsSearch { get; set; }
    /// <summary>`--dns-option`: resolv.conf options ("ndots:2").</summary>
    public List<string>? DnsOptions { get; set; }
    /// <summary>`--add-host`: "NAME:ADDRESS" (split at the first ':'; ADDRESS may be "host-gateway"). Inspect shows []
    /// when none (Docker: null; both read as an empty list).</summary>
    public List<string>? ExtraHosts { get; set; }
}

/// <summary>A container's log driver and its options (the docker CLI sends Type "" for the daemon's default).</summary>
public sealed class LogConfig
{
    public string Type { get; set; } = "";
    public Dictionary<string, string>? Config { get; set; }
}

public sealed class PortBinding
{
    public string? HostIp { get; set; }
    public string? HostPort { get; set; }
}

public sealed class RestartPolicy
{
    public string? Name { get; set; }
    public int MaximumRetryCount { get; set; }
}

public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings>? EndpointsConfig { get; set; }
}

/// <summary>A container's endpoint on one network (create request and inspect answer).</summary>
public sealed class EndpointSettings
{
    public EndpointIpamConfig? IPAMConfig { get; set; }
    public List<string>? Aliases { get; set; }
    public string NetworkID { get; set; } = "";
    public string EndpointID { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPAddress { get; set; } = "";
    public int IPPrefixLen { get; set; }
    public string MacAddress { get; set; } = "";
    /// <summary>Legacy links (`--link`); refused when given in a request.</summary>
    public List<string>? Links { get; set; }
    /// <summary>API 1.44: the names the container answers to on this network (name, aliases, short id, hostname).</summary>
    public List<string>? DNSNames { get; set; }
}

public sealed class EndpointIpamConfig
{
    public string? IPv4Address { get; set; }
    /// <summary>Refused when given (IPv6 endpoints are not supported).</summary>
    public string? IPv6Address { get; set; }
    /// <summary>Refused when given.</summary>
    public List<string>? LinkLocalIPs { get; set; }
}

/// <summary>Answer of <c>POST /containers/create</c> (201).</summary>
public sealed class ContainerCreateResponse
{
    public string Id { get; set; } = "";
    public List<string> Warnings { get; set; } = new();
}

/// <summary>One row of <c>GET /containers/json</c>.</summary>
public sealed class ContainerSummary
{
    public string Id { get; set; } = "";
    /// <summary>With Docker's leading slash: "/web".</summary>
    public List<string> Names { get; set; } = new();
    public string Image { get; set; } = "";
    public string ImageID { get; set; } = "";
    public string Command { get; set; } = "";
    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }
    /// <summary>created, running, exited, removing.</summary>
    public string State { get; set; } = "";
    /// <summary>"Up 3 minutes", "Exited (137) 5 seconds ago".</summary>
    public string Status { get; set; } = "";
    public List<PortSummary> Ports { get; set; } = new();
    public Dictionary<string, string> Labels { get; set; } = new();
    public SummaryNetworkSettings NetworkSettings { get; set; } = new();
    public List<MountPoint> Mounts { get; set; } = new();
}

public sealed class PortSummary
{
    public string? IP { get; set; }
    public int PrivatePort { get; set; }
    public int? PublicPort { get; set; }
    public string Type { get; set; } = "tcp";
}

public sealed class SummaryNetworkSettings
{
    public Dictionary<string, EndpointSettings> Networks { get; set; } = new();
}

public sealed class MountPoint
{
    public string Type { get; set; } = "bind";
    public string Source { get; set; } = "";
    public string Destination { get; set; } = "";
    public string Mode { get; set; } = "";
    public bool RW { get; set; } = true;
    public string Propagation { get; set; } = "rprivate";
}

/// <summary>Answer of <c>GET /containers/{id}/json</c>.</summary>
public sealed class ContainerInspect
{
    public string Id { get; set; } = "";
    /// <summary>RFC 3339 with nanoseconds.</summary>
    public string Created { get; set; } = "";
    public string Path { get; set; } = "";
    public List<string> Args { get; set; } = new();
    public ContainerState State { get; set; } = new();
    /// <summary>The image id ("sha256:...").</summary>
    public string Image { get; set; } = "";
    public string ResolvConfPath { get; set; } = "";
    public string HostnamePath { get; set; } = "";
    public string HostsPath { get; set; } = "";
    public string LogPath { get; set; } = "";
    /// <summary>With Docker's leading slash.</summary>
    public string Name { get; set; } = "";
    public int RestartCount { get; set; }
    public string Driver { get; set; } = "overlay";
    public string Platform { get; set; } = "linux";
    public HostConfig HostConfig { get; set; } = new();
    public ContainerConfig Config { get; set; } = new();
    public InspectNetworkSettings NetworkSettings { get; set; } = new();
    public List<MountPoint> Mounts { get; set; } = new();
}

public sealed class ContainerState
{
    /// <summary>created, running, exited, removing.</summary>
    public string Status { get; set; } = "";
    public bool Running { get; set; }
    public bool Paused { get; set; }
    public bool Restarting { get; set; }
    public bool OOMKilled { get; set; }
    public bool Dead { get; set; }
    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public string StartedAt { get; set; } = "0001-01-01T00:00:00Z";
    public string FinishedAt { get; set; } = "0001-01-01T00:00:00Z";
}

/// <summary>The container's configuration as inspect shows it (image defaults merged in).</summary>
public sealed class ContainerConfig
{
    public string Hostname { get; set; } = "";
    public string Domainname { get; set; } = "";
    public string User { get; set; } = "";
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string> Env { get; set; } = new();
    public List<string>? Cmd { get; set; }
    public List<string>? Entrypoint { get; set; }
    public string Image { get; set; } = "";
    public string WorkingDir { get; set; } = "";
    public Dictionary<string, string> Labels { get; set; } = new();
    public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
}

public sealed class InspectNetworkSettings
{
    public string SandboxKey { get; set; } = "";
    public string Gateway { get; set; } = "";
    public string IPAddress { get; set; } = "";
    public int IPPrefixLen { get; set; }
    public string MacAddress { get; set; } = "";
    public Dictionary<string, List<PortBinding>?> Ports { get; set; } = new();
    public Dictionary<string, EndpointSettings> Networks { get; set; } = new();
}

/// <summary>Answer of <c>POST /containers/{id}/wait</c>.</summary>
public sealed class ContainerWaitResponse
{
    public long StatusCode { get; set; }
    public WaitError? Error { get; set; }
}

public sealed class WaitError
{
    public string Message { get; set; } = "";
}

/// <summary>One message of <c>GET /events</c> (a JSON object per line).</summary>
public sealed class EventMessage
{
    /// <summary>container, network, image.</summary>
    public string Type { get; set; } = "";
    public string Action { get; set; } = "";
    public EventActor Actor { get; set; } = new();
    [JsonPropertyName("scope")]
    public string Scope { get; set; } = "local";
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("time")]
    public long Time { get; set; }
    [JsonPropertyName("timeNano")]
    public long TimeNano { get; set; }
    // Pre-1.22 fields the docker CLI still prints for containers.
    [JsonPropertyName("status")]
    public string? Status { get; set; }
    [JsonPropertyName("id")]
    public string? Id { get; set; }
    [JsonPropertyName("from")]
    public string? From { get; set; }
}

public sealed class EventActor
{
    public string ID { get; set; } = "";
    public Dictionary<string, string> Attributes { get; set; } = new();
}
