using MyDocker.Engine.Networks;

namespace MyDocker.Web.Dashboard;

/// <summary>A network as the dashboard lists it. Immutable.</summary>
public sealed record NetworkRow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Subnet { get; init; }
    public required string Gateway { get; init; }
    public string? IpRange { get; init; }
    public required string Bridge { get; init; }
    public bool Internal { get; init; }
    public int Containers { get; init; }
    public long Used { get; init; }
    public long Free { get; init; }
    public IReadOnlyList<LeaseRow> Leases { get; init; } = [];
}

/// <summary>An address leased to an endpoint: the owning container's id and, when it still exists, its name and the
/// MAC its eth0 was given.</summary>
public sealed record LeaseRow(string Owner, string Address, DateTimeOffset Since)
{
    public string? OwnerName { get; init; }
    public string? Mac { get; init; }
}

/// <summary>A network's kernel state (<see cref="NetworkPlumbing"/>) and the names of the containers whose veths it
/// lists.</summary>
public sealed record PlumbingRow(NetworkPlumbing Kernel, IReadOnlyDictionary<string, string> ContainerNames);

/// <summary>Why a host port cannot be published, in the engine's words, and the next port that could be (null: none near).</summary>
public sealed record HostPortConflict(string Why, int? NextFree);
