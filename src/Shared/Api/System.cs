using System.Text.Json.Serialization;

namespace MyDocker.Shared.Api;

/// <summary>Docker's error body: <c>{"message": "..."}</c>.</summary>
public sealed class ErrorResponse
{
    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}

/// <summary>Answer of <c>GET /version</c>.</summary>
public sealed class VersionResponse
{
    public PlatformInfo Platform { get; set; } = new();
    public List<ComponentVersion> Components { get; set; } = new();
    public string Version { get; set; } = "";
    public string ApiVersion { get; set; } = "";
    public string MinAPIVersion { get; set; } = "";
    public string GitCommit { get; set; } = "";
    public string GoVersion { get; set; } = "";
    public string Os { get; set; } = "linux";
    public string Arch { get; set; } = "amd64";
    public string KernelVersion { get; set; } = "";
    public string BuildTime { get; set; } = "";
}

public sealed class PlatformInfo
{
    public string Name { get; set; } = "";
}

public sealed class ComponentVersion
{
    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
}

/// <summary>Answer of <c>POST /mydocker/v1/system/reconcile</c>: what the reconciler changed.</summary>
public sealed class ReconcileReport
{
    /// <summary>Kernel objects re-created for live records, e.g. "bridge md-1a2b3c4d5e6f for network web".</summary>
    public List<string> Repaired { get; set; } = new();
    /// <summary>Engine-owned kernel objects or half-made records removed because nothing owns them.</summary>
    public List<string> Removed { get; set; } = new();
    /// <summary>Steps that failed; the others still ran.</summary>
    public List<string> Errors { get; set; } = new();
}

/// <summary>Answer of <c>GET /mydocker/v1/system/doctor</c>: what stands in the way of the engine's networks, and an OCI
/// runtime lacking security fixes.</summary>
public sealed class DoctorReport
{
    public List<DoctorFinding> Findings { get; set; } = new();
}

/// <summary>One finding of the doctor, in plain words.</summary>
public sealed class DoctorFinding
{
    /// <summary>"error" (blocks our traffic now), "warning" (may block some of it; an unpatched runtime), "info" (handled,
    /// nothing to do).</summary>
    public string Severity { get; set; } = "";
    /// <summary>What the finding is about, e.g. "nftables chain ip filter FORWARD (hook forward, priority 0)".</summary>
    public string Object { get; set; } = "";
    public string Problem { get; set; } = "";
    public string Fix { get; set; } = "";

    public const string Error = "error", Warning = "warning", Info = "info";
}

/// <summary>Source-generated JSON metadata, so the NativeAOT CLI and the daemon share one serializer setup.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkResource))]
[JsonSerializable(typeof(List<NetworkResource>))]
[JsonSerializable(typeof(NetworksPruneResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(ReconcileReport))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(DashboardLoginResponse))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerSummary))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(ContainerWaitResponse))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(ImageSummary))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(ExecCreateRequest))]
[JsonSerializable(typeof(ExecCreateResponse))]
[JsonSerializable(typeof(ExecStartRequest))]
[JsonSerializable(typeof(ExecInspect))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
