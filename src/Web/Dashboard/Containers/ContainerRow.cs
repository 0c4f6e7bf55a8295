namespace MyDocker.Web.Dashboard.Containers;

/// <summary>A container as the dashboard shows it. Immutable: a new row replaces the old one when the container changes,
/// so a table row re-renders only when its reference changes.</summary>
public sealed record ContainerRow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Docker's state word: created, running, exited or removing.</summary>
    public required string State { get; init; }
    /// <summary>Docker's STATUS text ("Up 5 minutes", "Exited (137) 2 seconds ago"), as of when the row was read.</summary>
    public string Status { get; init; } = "";
    /// <summary>The command that runs (entrypoint + cmd), shell-quoted.</summary>
    public string Command { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The last run's exit code; null while running or before the first run.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Why the last start failed, in plain words.</summary>
    public string? Error { get; init; }
    public bool OomKilled { get; init; }
    public IReadOnlyList<EndpointRow> Networks { get; init; } = [];
    public IReadOnlyList<PortRow> Ports { get; init; } = [];
    public long? MemoryBytes { get; init; }
    public long? NanoCpus { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];

    public bool IsRunning => State == "running";
}

/// <summary>The container's address on one network.</summary>
public sealed record EndpointRow(string Network, string Ip, string? Mac = null);

/// <summary>A published port: HOST-IP:HOST-PORT → CONTAINER-PORT/PROTOCOL. Where a browser reaches it: <see cref="PortLinks"/>.</summary>
public sealed record PortRow(string Protocol, string HostIp, int HostPort, int ContainerPort)
{
    public override string ToString() => $"{HostIp}:{HostPort}→{ContainerPort}/{Protocol}";
    public Engine.Ports.PublishedPort ToPublished() => new(Protocol, HostIp, HostPort, ContainerPort);
}

/// <summary>A local image, for the run wizard's picker.</summary>
/// <param name="Reference">What to give create: the first tag, or the id for an untagged image.</param>
/// <param name="DefaultCommand">What runs when no command is given (entrypoint + cmd), shell-quoted; empty: none.</param>
public sealed record ImageRow(string Id, string Reference, IReadOnlyList<string> Tags, string DefaultCommand);
