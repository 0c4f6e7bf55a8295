namespace MyDocker.Shared.Api;

/// <summary>Body of <c>POST /containers/{id}/exec</c>.</summary>
public sealed class ExecCreateRequest
{
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public bool Tty { get; set; }
    public List<string>? Cmd { get; set; }
    public List<string>? Env { get; set; }
    public string? WorkingDir { get; set; }
    public string? User { get; set; }
    public bool Privileged { get; set; }
}

/// <summary>Answer of <c>POST /containers/{id}/exec</c>.</summary>
public sealed class ExecCreateResponse
{
    public string Id { get; set; } = "";
}

/// <summary>Body of <c>POST /exec/{id}/start</c>.</summary>
public sealed class ExecStartRequest
{
    public bool Detach { get; set; }
    public bool Tty { get; set; }
}

/// <summary>Answer of <c>GET /exec/{id}/json</c>.</summary>
public sealed class ExecInspect
{
    public string ID { get; set; } = "";
    public bool Running { get; set; }
    /// <summary>Null while running (Docker sends null, not 0).</summary>
    public int? ExitCode { get; set; }
    public bool OpenStdin { get; set; }
    public bool OpenStdout { get; set; } = true;
    public bool OpenStderr { get; set; } = true;
    public string ContainerID { get; set; } = "";
    public int Pid { get; set; }
    public ExecProcessConfig ProcessConfig { get; set; } = new();
}

public sealed class ExecProcessConfig
{
    public bool tty { get; set; }
    public string entrypoint { get; set; } = "";
    public List<string> arguments { get; set; } = [];
    public bool privileged { get; set; }
    public string user { get; set; } = "";
}
