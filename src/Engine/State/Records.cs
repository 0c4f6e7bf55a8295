namespace MyDocker.Engine.State;

/// <summary>Where a network is in its life. Operations record intent first, change the kernel, then mark themselves done
/// (DESIGN.md §4.4), so the reconciler knows after a crash whether to finish or roll back.</summary>
public enum NetworkPhase
{
    /// <summary>Recorded, kernel objects possibly half-made. After a crash: rolled back.</summary>
    Creating = 0,
    /// <summary>Fully set up. After a crash: kernel state re-created if missing.</summary>
    Ready = 1,
    /// <summary>Teardown started. After a crash: teardown finished.</summary>
    Removing = 2,
}

/// <summary>A bridge network as stored in the database.</summary>
public sealed class NetworkRecord
{
    /// <summary>64 lowercase hex digits, like Docker's ids.</summary>
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Driver { get; set; } = "bridge";
    /// <summary>Canonical CIDR, host bits clear ("10.0.0.0/24").</summary>
    public required string Subnet { get; set; }
    public required string Gateway { get; set; }
    public string? IpRange { get; set; }
    /// <summary>The Linux bridge device: "md-" + 12 hex of the id unless the user named it with -o bridge.name.</summary>
    public required string Bridge { get; set; }
    public bool Internal { get; set; }
    public DateTimeOffset Created { get; set; }
    public NetworkPhase Phase { get; set; }
    /// <summary>Driver options as given (Docker's Options map), JSON.</summary>
    public string OptionsJson { get; set; } = "{}";
    public string LabelsJson { get; set; } = "{}";
}

/// <summary>An address lease (table owned by <see cref="Networks.Ipam.SqliteIpamStore"/>; mapped here so the migration creates it).</summary>
public sealed class IpamLeaseRow
{
    public required string PoolId { get; set; }
    public long Address { get; set; }
    public required string OwnerId { get; set; }
    public required string Since { get; set; }
}

/// <summary>The round-robin cursor of a pool (last address handed out).</summary>
public sealed class IpamCursorRow
{
    public required string PoolId { get; set; }
    public long Address { get; set; }
}
