using System.Text.Json.Serialization;

namespace MyDocker.Shared.Api;

// Shapes of the Docker Engine API (https://docs.docker.com/reference/api/engine/), image section.
// Field names are Docker's; clients such as the docker CLI decode them by name.

/// <summary>One image in <c>GET /images/json</c> (Docker's ImageSummary).</summary>
public sealed class ImageSummary
{
    public string Id { get; set; } = "";
    public string ParentId { get; set; } = "";
    public List<string> RepoTags { get; set; } = new();
    public List<string> RepoDigests { get; set; } = new();
    /// <summary>Unix seconds.</summary>
    public long Created { get; set; }
    public long Size { get; set; }
    /// <summary>-1: not calculated (Docker's value when not asked for).</summary>
    public long SharedSize { get; set; } = -1;
    /// <summary>Deprecated in the API but still read by older clients; equal to Size.</summary>
    public long VirtualSize { get; set; }
    public Dictionary<string, string> Labels { get; set; } = new();
    /// <summary>-1: not calculated.</summary>
    public int Containers { get; set; } = -1;
}

/// <summary><c>GET /images/{name}/json</c> (Docker's ImageInspect), the fields MyDocker knows.</summary>
public sealed class ImageInspect
{
    public string Id { get; set; } = "";
    public List<string> RepoTags { get; set; } = new();
    public List<string> RepoDigests { get; set; } = new();
    public string Parent { get; set; } = "";
    public string Comment { get; set; } = "";
    /// <summary>RFC 3339 with nanoseconds, as Docker writes it.</summary>
    public string Created { get; set; } = "";
    public string DockerVersion { get; set; } = "";
    public string Author { get; set; } = "";
    public ImageContainerConfig Config { get; set; } = new();
    public string Architecture { get; set; } = "amd64";
    public string Os { get; set; } = "linux";
    public long Size { get; set; }
    public long VirtualSize { get; set; }
    public GraphDriverData GraphDriver { get; set; } = new();
    public ImageRootFs RootFS { get; set; } = new();
    public ImageMetadata Metadata { get; set; } = new();
}

/// <summary>The image's container defaults (part of Docker's ContainerConfig).</summary>
public sealed class ImageContainerConfig
{
    public string Hostname { get; set; } = "";
    public string Domainname { get; set; } = "";
    public string User { get; set; } = "";
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public string Image { get; set; } = "";
    public string WorkingDir { get; set; } = "";
    public List<string>? Entrypoint { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

public sealed class GraphDriverData
{
    public string Name { get; set; } = "overlay2";
    public Dictionary<string, string> Data { get; set; } = new();
}

public sealed class ImageRootFs
{
    public string Type { get; set; } = "layers";
    public List<string> Layers { get; set; } = new();
}

public sealed class ImageMetadata
{
    public string LastTagTime { get; set; } = "0001-01-01T00:00:00Z";
}

/// <summary>One line of <c>DELETE /images/{name}</c>'s answer: either Untagged or Deleted is set.</summary>
public sealed class ImageDeleteResponseItem
{
    public string? Untagged { get; set; }
    public string? Deleted { get; set; }
}

/// <summary>One JSON line of a progress stream (<c>POST /images/load</c>, <c>/images/create</c>): Docker's JSONMessage.</summary>
public sealed class JsonMessage
{
    [JsonPropertyName("stream")]
    public string? Stream { get; set; }
    [JsonPropertyName("status")]
    public string? Status { get; set; }
    [JsonPropertyName("errorDetail")]
    public JsonError? ErrorDetail { get; set; }
    /// <summary>Deprecated duplicate of errorDetail.message, still sent by Docker and read by old clients.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

public sealed class JsonError
{
    [JsonPropertyName("message")]
    public string Message { get; set; } = "";
}
