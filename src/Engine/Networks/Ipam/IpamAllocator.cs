using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace MyDocker.Engine.Networks.Ipam;

/// <summary>
/// An address pool: a network's subnet, its gateway and the optional ip-range that dynamic allocation is limited to.
/// </summary>
/// <param name="Id">The key of the pool's leases in the store (the network id).</param>
/// <param name="Gateway">Inside <paramref name="Subnet"/>, neither its network nor its broadcast address; never leased.</param>
/// <param name="Range">Inside <paramref name="Subnet"/>; null means the whole subnet. Static requests may lie outside it.</param>
/// <param name="Name">The network name shown in error messages; <paramref name="Id"/> when null.</param>
public sealed record IpamPool(string Id, IPv4Subnet Subnet, uint Gateway, IPv4Subnet? Range, string? Name = null)
{
    public string DisplayName => string.IsNullOrEmpty(Name) ? Id : Name;
}

/// <summary>Address usage of a pool.</summary>
/// <param name="Used">Leased addresses (static ones outside the ip-range included).</param>
/// <param name="Free">Addresses still available to dynamic allocation (ip-range minus network, broadcast, gateway and leases).</param>
/// <param name="Total"><paramref name="Used"/> + <paramref name="Free"/>.</param>
public sealed record IpamUsageInfo(long Total, long Used, long Free);

/// <summary>
/// IPv4 address allocator (DESIGN.md §4.6). Each open pool has an in-memory bitmap over its whole subnet
/// (a /8 takes 2 MiB) plus its leases; the store is read at <see cref="OpenPool"/> and written on every change
/// before memory is updated, so a failed write leaves both unchanged.
/// <para>Dynamic allocation is round-robin: the search starts after the cursor (the last dynamically allocated
/// address) and wraps around the ip-range, so a released address is handed out again only after all others.
/// The network address, the broadcast address and the gateway are never handed out.</para>
/// <para>Thread-safe: operations on one pool are serialised by a per-pool lock; different pools proceed in parallel
/// (as far as the store allows).</para>
/// </summary>
public sealed class IpamAllocator
{
    private readonly IIpamStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly Lock _openGate = new();

    public IpamAllocator(IIpamStore store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Loads the pool's leases and cursor from the store. Opening an open pool again with the same subnet, gateway
    /// and range does nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The pool is inconsistent (prefix outside /8../30, gateway or range outside the subnet...).</exception>
    /// <exception cref="InvalidOperationException">The pool is already open with a different definition.</exception>
    public void OpenPool(IpamPool pool)
    {
        Validate(pool);
        lock (_openGate)
        {
            if (_pools.TryGetValue(pool.Id, out var existing))
            {
                if (existing.Pool with { Name = pool.Name } != pool)
                    throw new InvalidOperationException(
                        $"IPAM pool '{pool.Id}' is already open as {Describe(existing.Pool)}; it cannot be reopened as {Describe(pool)}");
                return;
            }
            _pools[pool.Id] = new PoolState(pool, _store.Load(pool.Id), _store.LoadCursor(pool.Id));
        }
    }

    /// <summary>
    /// Forgets the pool; with <paramref name="deleteLeases"/> also deletes its leases and cursor from the store
    /// (network removal; done even if the pool is not open).
    /// </summary>
    public void ClosePool(string poolId, bool deleteLeases)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_openGate)
        {
            if (!_pools.TryGetValue(poolId, out var state))
            {
                if (deleteLeases) _store.DeletePool(poolId);
                return;
            }
            lock (state.Gate)
            {
                if (deleteLeases) _store.DeletePool(poolId); // first: if it fails the pool stays open and intact
                state.Closed = true;
                _pools.TryRemove(poolId, out _);
            }
        }
    }

    /// <summary>
    /// Leases an address to <paramref name="ownerId"/>: the next free one of the ip-range after the cursor, or
    /// <paramref name="requested"/> (which must be in the subnet, may be outside the ip-range, and does not move the cursor).
    /// </summary>
    /// <exception cref="EngineException">Invalid: the requested address is outside the subnet or is its network,
    /// broadcast or gateway address. Conflict: it is already leased, or the pool has no free address.</exception>
    /// <exception cref="IpamConflictException">The store already holds a lease for the address (another writer);
    /// the pool is reloaded from the store before this is thrown.</exception>
    /// <exception cref="InvalidOperationException">The pool is not open.</exception>
    public uint Allocate(string poolId, string ownerId, uint? requested = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        var state = Get(poolId);
        lock (state.Gate)
        {
            ThrowIfClosed(state);
            var pool = state.Pool;
            uint address;
            if (requested is { } wanted)
            {
                CheckStaticRequest(state, wanted);
                address = wanted;
            }
            else
            {
                var index = state.FindFree();
                if (index < 0) throw NoFreeAddress(state);
                address = state.Base + (uint)index;
            }

            var lease = new IpamLease(pool.Id, address, ownerId, _time.GetUtcNow());
            try
            {
                _store.Add(lease, advanceCursor: requested is null);
            }
            catch (IpamConflictException)
            {
                // Someone else wrote to the store: take its state so that the next call does not trip on it again.
                state.Rebuild(_store.Load(pool.Id), _store.LoadCursor(pool.Id));
                throw;
            }
            state.AddLease(lease);
            if (requested is null) state.Cursor = address;
            return address;
        }
    }

    /// <summary>Whether the pool is open (loaded and not closed).</summary>
    public bool IsOpen(string poolId) => _pools.TryGetValue(poolId, out var state) && !state.Closed;

    /// <summary>Releases a leased address; returns false if it was not leased. The cursor does not move.</summary>
    /// <exception cref="InvalidOperationException">The pool is not open.</exception>
    public bool Release(string poolId, uint address)
    {
        var state = Get(poolId);
        lock (state.Gate)
        {
            ThrowIfClosed(state);
            var removed = _store.Remove(poolId, address);
            return state.RemoveLease(address) || removed;
        }
    }

    /// <exception cref="InvalidOperationException">The pool is not open.</exception>
    public IpamUsageInfo Usage(string poolId)
    {
        var state = Get(poolId);
        lock (state.Gate)
        {
            ThrowIfClosed(state);
            long used = state.Leases.Count;
            var free = state.RangeAllocatable - state.LeasesInRange;
            return new IpamUsageInfo(used + free, used, free);
        }
    }

    /// <summary>The pool's leases, ordered by address.</summary>
    /// <exception cref="InvalidOperationException">The pool is not open.</exception>
    public IReadOnlyList<IpamLease> Leases(string poolId)
    {
        var state = Get(poolId);
        lock (state.Gate)
        {
            ThrowIfClosed(state);
            var list = state.Leases.Values.ToArray();
            Array.Sort(list, static (a, b) => a.Address.CompareTo(b.Address));
            return list;
        }
    }

    private PoolState Get(string poolId)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        return _pools.TryGetValue(poolId, out var state) ? state : throw NotOpen(poolId);
    }

    private static void ThrowIfClosed(PoolState state)
    {
        if (state.Closed) throw NotOpen(state.Pool.Id);
    }

    private static InvalidOperationException NotOpen(string poolId) => new($"IPAM pool '{poolId}' is not open");

    private static void CheckStaticRequest(PoolState state, uint address)
    {
        var pool = state.Pool;
        var subnet = pool.Subnet;
        var a = IPv4.Format(address);
        var name = pool.DisplayName;
        if (!subnet.Contains(address))
            throw EngineException.Invalid($"address {a} is outside network '{name}' ({subnet}); pick an address in {subnet}");
        if (address == subnet.Network)
            throw EngineException.Invalid($"address {a} is the network address of network '{name}' ({subnet}); pick another address in {subnet}");
        if (address == subnet.Broadcast)
            throw EngineException.Invalid($"address {a} is the broadcast address of network '{name}' ({subnet}); pick another address in {subnet}");
        if (address == pool.Gateway)
            throw EngineException.Invalid($"address {a} is the gateway of network '{name}'; pick another address in {subnet}");
        if (state.Leases.TryGetValue(address, out var holder))
            throw EngineException.Conflict(
                $"address {a} is already in use in network '{name}' (by {holder.OwnerId}); pick another address in {subnet}, " +
                "or leave the address out to get a free one");
    }

    private static EngineException NoFreeAddress(PoolState state)
    {
        var pool = state.Pool;
        return pool.Range is { } range && range != pool.Subnet
            ? EngineException.Conflict(
                $"network '{pool.DisplayName}' ({pool.Subnet}, ip-range {range}) has no free address: all {state.RangeAllocatable} " +
                "addresses of its ip-range are in use; remove a container or create the network with a larger ip-range")
            : EngineException.Conflict(
                $"network '{pool.DisplayName}' ({pool.Subnet}) has no free address: all {state.RangeAllocatable} addresses are in use; " +
                "remove a container or create a larger network");
    }

    private static string Describe(IpamPool pool) =>
        $"subnet {pool.Subnet} gateway {IPv4.Format(pool.Gateway)}{(pool.Range is { } r ? $" ip-range {r}" : "")}";

    private static void Validate(IpamPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentException.ThrowIfNullOrEmpty(pool.Id, nameof(pool));
        var subnet = pool.Subnet;
        if (!IPv4Subnet.TryValidateForNetwork(subnet, out var error))
            throw new ArgumentException($"IPAM pool '{pool.Id}': {error}", nameof(pool));
        if (!subnet.Contains(pool.Gateway) || pool.Gateway == subnet.Network || pool.Gateway == subnet.Broadcast)
            throw new ArgumentException(
                $"IPAM pool '{pool.Id}': gateway {IPv4.Format(pool.Gateway)} is not a host address of {subnet}", nameof(pool));
        if (pool.Range is { } range && !subnet.Contains(range))
            throw new ArgumentException($"IPAM pool '{pool.Id}': ip-range {range} is not inside subnet {subnet}", nameof(pool));
    }

    /// <summary>In-memory state of one open pool; every member is used under <see cref="Gate"/>.</summary>
    private sealed class PoolState
    {
        public PoolState(IpamPool pool, IReadOnlyList<IpamLease> leases, uint? cursor)
        {
            Pool = pool;
            var subnet = pool.Subnet;
            Base = subnet.Network;
            var range = pool.Range ?? subnet;
            Lo = (int)(range.Network - Base);
            Hi = (int)(range.Broadcast - Base);
            var reservedInRange = new[] { subnet.Network, subnet.Broadcast, pool.Gateway }.Count(range.Contains);
            RangeAllocatable = (long)range.Size - reservedInRange;
            Rebuild(leases, cursor);
        }

        public readonly Lock Gate = new();
        public IpamPool Pool { get; }
        /// <summary>Address of bit 0: the subnet's network address.</summary>
        public uint Base { get; }
        /// <summary>The ip-range (or whole subnet) as inclusive bit indices.</summary>
        public int Lo { get; }
        public int Hi { get; }
        public long RangeAllocatable { get; }
        public AddressBitmap Bits { get; private set; }
        public Dictionary<uint, IpamLease> Leases { get; } = [];
        public int LeasesInRange { get; private set; }
        /// <summary>The last dynamically allocated address, or null.</summary>
        public uint? Cursor { get; set; }
        public bool Closed { get; set; }

        /// <summary>Replaces the in-memory state with the store's.</summary>
        [MemberNotNull(nameof(Bits))]
        public void Rebuild(IReadOnlyList<IpamLease> leases, uint? cursor)
        {
            Bits = NewBitmap();
            Leases.Clear();
            LeasesInRange = 0;
            foreach (var lease in leases)
            {
                // A lease on a reserved address or outside the subnet cannot come from this allocator; it stays in
                // the store (Release still deletes it) but is not indexed.
                if (Pool.Subnet.Contains(lease.Address) && !Bits.IsSet(Index(lease.Address))) AddLease(lease);
            }
            Cursor = cursor;
        }

        public void AddLease(IpamLease lease)
        {
            Bits.Set(Index(lease.Address));
            Leases[lease.Address] = lease;
            if (InRange(lease.Address)) LeasesInRange++;
        }

        public bool RemoveLease(uint address)
        {
            if (!Leases.Remove(address)) return false;
            Bits.Clear(Index(address));
            if (InRange(address)) LeasesInRange--;
            return true;
        }

        /// <summary>Bit index of the next free address of the range after the cursor, wrapping; -1 if none.</summary>
        public int FindFree()
        {
            var start = Lo;
            if (Cursor is { } c && Pool.Subnet.Contains(c))
            {
                var next = Index(c) + 1;
                if (next >= Lo && next <= Hi) start = next;
            }
            var index = Bits.FindClear(start, Hi);
            if (index < 0 && start > Lo) index = Bits.FindClear(Lo, start - 1);
            return index;
        }

        private int Index(uint address) => (int)(address - Base);

        private bool InRange(uint address)
        {
            var i = Index(address);
            return i >= Lo && i <= Hi;
        }

        private AddressBitmap NewBitmap()
        {
            var bits = new AddressBitmap((int)Pool.Subnet.Size);
            bits.Set(0);
            bits.Set(bits.Count - 1);
            bits.Set(Index(Pool.Gateway));
            return bits;
        }
    }
}
