namespace MyDocker.Engine.Networks.Ipam;

/// <summary>One leased address of a pool.</summary>
/// <param name="OwnerId">Who holds the address (an endpoint or container id); informational.</param>
public sealed record IpamLease(string PoolId, uint Address, string OwnerId, DateTimeOffset Since);

/// <summary>
/// Durable state of the IPAM allocator: the leases of every pool and each pool's round-robin cursor.
/// The allocator keeps its own in-memory index and consults the store only at <see cref="IpamAllocator.OpenPool"/>
/// and on writes; the store's unique key (pool, address) is the last line of defence against double allocation.
/// Implementations are thread-safe.
/// </summary>
public interface IIpamStore
{
    /// <summary>All leases of one pool, for loading the in-memory index at start-up.</summary>
    IReadOnlyList<IpamLease> Load(string poolId);

    /// <summary>Cursor for round-robin (the last dynamically allocated address), null if none.</summary>
    uint? LoadCursor(string poolId);

    /// <summary>
    /// Records a lease and, when <paramref name="advanceCursor"/> is true, sets the pool's cursor to its address,
    /// in ONE transaction. Static requests pass false: like Docker, a static address does not move the cursor.
    /// </summary>
    /// <exception cref="IpamConflictException">The address is already leased in that pool; nothing was written.</exception>
    void Add(IpamLease lease, bool advanceCursor = true);

    /// <summary>Deletes a lease; returns false if it did not exist. The cursor is left as it is.</summary>
    bool Remove(string poolId, uint address);

    /// <summary>Deletes all leases and the cursor of a pool (network removal).</summary>
    void DeletePool(string poolId);
}

/// <summary>
/// The store refused a lease because the address is already leased in that pool. Under one allocator this cannot
/// happen; it means two writers share the database (or the in-memory index was out of date).
/// </summary>
public sealed class IpamConflictException(string poolId, uint address)
    : Exception($"address {IPv4.Format(address)} of pool '{poolId}' is already leased in the IPAM store " +
                "(is another engine using the same database?)")
{
    public string PoolId { get; } = poolId;
    public uint Address { get; } = address;
}
