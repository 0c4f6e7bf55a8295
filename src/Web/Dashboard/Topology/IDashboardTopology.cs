using MyDocker.Engine.Ports;

namespace MyDocker.Web.Dashboard.Topology;

/// <summary>A container as the topology draws it: its state ("running", "exited", "created", "removing"), its address on
/// its network (kept while stopped) and the ports it publishes. Immutable.</summary>
public sealed record TopologyContainer
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string State { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<PublishedPort> Ports { get; init; } = [];
}

/// <summary>A bridge network and the containers on it. Immutable.</summary>
public sealed record TopologyNetwork
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Subnet { get; init; }
    public required string Gateway { get; init; }
    public required string Bridge { get; init; }
    public bool Internal { get; init; }
    public IReadOnlyList<TopologyContainer> Containers { get; init; } = [];
}

/// <summary>The host and its networks, networks by name, containers by name.</summary>
public sealed record TopologyView(string Host, IReadOnlyList<TopologyNetwork> Networks);

/// <summary>What a probe of a published port found: <see cref="Answers"/> when a TCP connection was accepted.</summary>
public sealed record PortProbe(bool Answers, string Detail);

/// <summary>
/// What the topology page asks of the engine, in one seam so bUnit drives the page with a fake. Every method may be called
/// from any circuit at once; errors are <see cref="Engine.EngineException"/>s with messages meant for people.
/// </summary>
public interface IDashboardTopology
{
    Task<TopologyView> ReadAsync(CancellationToken ct = default);

    /// <summary>Connects to the port's host address and port from the daemon (TCP; 0.0.0.0 is tried on 127.0.0.1), with a
    /// short timeout, and closes at once. UDP has no handshake to wait for: not probed, said so in the detail.</summary>
    Task<PortProbe> ProbeAsync(PublishedPort port, CancellationToken ct = default);
}
