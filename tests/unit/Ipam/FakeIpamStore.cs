using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.UnitTests.Ipam;

/// <summary>In-memory <see cref="IIpamStore"/> with the real store's semantics (unique (pool, address), atomic add).</summary>
internal sealed class FakeIpamStore : IIpamStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Pool, uint Address), IpamLease> _leases = [];
    private readonly Dictionary<string, uint> _cursors = new(StringComparer.Ordinal);

    /// <summary>When set, the next write throws it (and writes nothing).</summary>
    public Exception? FailNextWrite { get; set; }

    public int AddCount { get; private set; }

    public IReadOnlyList<IpamLease> Load(string poolId)
    {
        lock (_gate) return _leases.Values.Where(l => l.PoolId == poolId).OrderBy(l => l.Address).ToList();
    }

    public uint? LoadCursor(string poolId)
    {
        lock (_gate) return _cursors.TryGetValue(poolId, out var c) ? c : null;
    }

    public void Add(IpamLease lease, bool advanceCursor = true)
    {
        lock (_gate)
        {
            ThrowIfFailing();
            if (!_leases.TryAdd((lease.PoolId, lease.Address), lease)) throw new IpamConflictException(lease.PoolId, lease.Address);
            if (advanceCursor) _cursors[lease.PoolId] = lease.Address;
            AddCount++;
        }
    }

    public bool Remove(string poolId, uint address)
    {
        lock (_gate)
        {
            ThrowIfFailing();
            return _leases.Remove((poolId, address));
        }
    }

    public void DeletePool(string poolId)
    {
        lock (_gate)
        {
            ThrowIfFailing();
            foreach (var key in _leases.Keys.Where(k => k.Pool == poolId).ToList()) _leases.Remove(key);
            _cursors.Remove(poolId);
        }
    }

    private void ThrowIfFailing()
    {
        if (FailNextWrite is { } e)
        {
            FailNextWrite = null;
            throw e;
        }
    }
}
