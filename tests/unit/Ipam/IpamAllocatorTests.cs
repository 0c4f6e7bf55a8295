using System.Collections.Concurrent;
using MyDocker.Engine;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.UnitTests.Ipam;

/// <summary>Allocator behaviour, run once per store implementation (see the derived classes).</summary>
public abstract class IpamAllocatorTests : IDisposable
{
    protected static uint A(string s) => IPv4.Parse(s);

    protected static IpamPool Pool(string subnet, string? gateway = null, string? range = null, string id = "net1", string? name = "web")
    {
        var s = IPv4Subnet.Parse(subnet);
        return new IpamPool(id, s, gateway is null ? s.Network + 1 : A(gateway), range is null ? null : IPv4Subnet.Parse(range), name);
    }

    /// <summary>A store over the test's one database (each call may return a new instance on the same data).</summary>
    protected abstract IIpamStore OpenStore();

    public virtual void Dispose() { }

    private IpamAllocator NewAllocator(IpamPool pool, out IIpamStore store)
    {
        store = OpenStore();
        var allocator = new IpamAllocator(store);
        allocator.OpenPool(pool);
        return allocator;
    }

    private IpamAllocator NewAllocator(IpamPool pool) => NewAllocator(pool, out _);

    [Fact]
    public void Slash30_gives_exactly_one_host_besides_the_gateway_then_runs_out()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/30"));
        Assert.Equal(new IpamUsageInfo(1, 0, 1), ipam.Usage("net1"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "c1"));
        var e = Assert.Throws<EngineException>(() => ipam.Allocate("net1", "c2"));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal("network 'web' (10.0.0.0/30) has no free address: all 1 addresses are in use; " +
                     "remove a container or create a larger network", e.Message);
        Assert.Equal(new IpamUsageInfo(1, 1, 0), ipam.Usage("net1"));

        Assert.True(ipam.Release("net1", A("10.0.0.2")));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "c3"));
    }

    [Fact]
    public void Slash24_never_hands_out_network_broadcast_or_gateway()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24", gateway: "10.0.0.77"));
        var got = new HashSet<uint>();
        for (var i = 0; i < 253; i++) Assert.True(got.Add(ipam.Allocate("net1", $"c{i}")));
        Assert.Throws<EngineException>(() => ipam.Allocate("net1", "one-too-many"));
        Assert.DoesNotContain(A("10.0.0.0"), got);
        Assert.DoesNotContain(A("10.0.0.255"), got);
        Assert.DoesNotContain(A("10.0.0.77"), got);
        Assert.All(got, a => Assert.True(IPv4Subnet.Parse("10.0.0.0/24").Contains(a)));
        Assert.Equal(new IpamUsageInfo(253, 253, 0), ipam.Usage("net1"));
    }

    [Fact]
    public void Allocation_is_round_robin_so_a_released_address_comes_back_last()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/29")); // hosts .2-.6 besides gateway .1
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "a"));
        Assert.True(ipam.Release("net1", A("10.0.0.2")));
        Assert.Equal(A("10.0.0.3"), ipam.Allocate("net1", "b"));
        Assert.Equal(A("10.0.0.4"), ipam.Allocate("net1", "c"));
        Assert.Equal(A("10.0.0.5"), ipam.Allocate("net1", "d"));
        Assert.Equal(A("10.0.0.6"), ipam.Allocate("net1", "e"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "f")); // wrapped
        Assert.True(ipam.Release("net1", A("10.0.0.4")));
        Assert.Equal(A("10.0.0.4"), ipam.Allocate("net1", "g")); // the only free one
    }

    [Fact]
    public void Release_of_an_unleased_address_returns_false()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        Assert.False(ipam.Release("net1", A("10.0.0.9")));
        Assert.False(ipam.Release("net1", A("10.0.0.1")));   // gateway
        Assert.False(ipam.Release("net1", A("192.168.0.1"))); // outside
        var a = ipam.Allocate("net1", "c");
        Assert.True(ipam.Release("net1", a));
        Assert.False(ipam.Release("net1", a));
        Assert.Equal(new IpamUsageInfo(253, 0, 253), ipam.Usage("net1"));
    }

    [Fact]
    public void Static_request_that_is_free_is_granted_and_does_not_move_the_cursor()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        Assert.Equal(A("10.0.0.100"), ipam.Allocate("net1", "s", A("10.0.0.100")));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "d1"));
        Assert.Equal(A("10.0.0.3"), ipam.Allocate("net1", "d2"));
        Assert.Equal(A("10.0.0.2"), ipam.Leases("net1")[0].Address);
        Assert.Equal(["d1", "d2", "s"], ipam.Leases("net1").Select(l => l.OwnerId));
    }

    [Fact]
    public void Dynamic_allocation_skips_statically_taken_addresses()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/29"));
        ipam.Allocate("net1", "s", A("10.0.0.3"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "a"));
        Assert.Equal(A("10.0.0.4"), ipam.Allocate("net1", "b"));
    }

    [Fact]
    public void Static_request_that_is_taken_is_a_conflict_naming_the_holder()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        var a = ipam.Allocate("net1", "container-1");
        var e = Assert.Throws<EngineException>(() => ipam.Allocate("net1", "container-2", a));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Equal("address 10.0.0.2 is already in use in network 'web' (by container-1); pick another address in 10.0.0.0/24, " +
                     "or leave the address out to get a free one", e.Message);
        Assert.Single(ipam.Leases("net1"));
    }

    [Theory]
    [InlineData("10.0.0.1", "address 10.0.0.1 is the gateway of network 'web'; pick another address in 10.0.0.0/24")]
    [InlineData("10.0.0.0", "address 10.0.0.0 is the network address of network 'web' (10.0.0.0/24); pick another address in 10.0.0.0/24")]
    [InlineData("10.0.0.255", "address 10.0.0.255 is the broadcast address of network 'web' (10.0.0.0/24); pick another address in 10.0.0.0/24")]
    [InlineData("10.0.1.5", "address 10.0.1.5 is outside network 'web' (10.0.0.0/24); pick an address in 10.0.0.0/24")]
    public void Static_request_of_a_reserved_or_foreign_address_is_invalid(string address, string message)
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        var e = Assert.Throws<EngineException>(() => ipam.Allocate("net1", "c", A(address)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
        Assert.Empty(ipam.Leases("net1"));
    }

    [Fact]
    public void The_pool_id_names_the_network_when_no_name_is_given()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24", name: null, id: "3f2a"));
        var e = Assert.Throws<EngineException>(() => ipam.Allocate("3f2a", "c", A("10.0.0.1")));
        Assert.Contains("network '3f2a'", e.Message);
    }

    [Fact]
    public void Ip_range_bounds_dynamic_allocation_but_not_static_requests()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24", range: "10.0.0.128/30"));
        Assert.Equal(new IpamUsageInfo(4, 0, 4), ipam.Usage("net1"));
        var got = Enumerable.Range(0, 4).Select(i => ipam.Allocate("net1", $"c{i}")).ToArray();
        Assert.Equal([A("10.0.0.128"), A("10.0.0.129"), A("10.0.0.130"), A("10.0.0.131")], got);
        var e = Assert.Throws<EngineException>(() => ipam.Allocate("net1", "c5"));
        Assert.Equal("network 'web' (10.0.0.0/24, ip-range 10.0.0.128/30) has no free address: all 4 addresses of its ip-range " +
                     "are in use; remove a container or create the network with a larger ip-range", e.Message);

        Assert.Equal(A("10.0.0.7"), ipam.Allocate("net1", "static", A("10.0.0.7"))); // outside the range, inside the subnet
        Assert.Equal(new IpamUsageInfo(5, 5, 0), ipam.Usage("net1"));
        Assert.True(ipam.Release("net1", A("10.0.0.7")));
        Assert.True(ipam.Release("net1", A("10.0.0.130")));
        Assert.Equal(A("10.0.0.130"), ipam.Allocate("net1", "again"));
    }

    [Fact]
    public void Ip_range_at_the_subnet_edges_still_skips_network_gateway_and_broadcast()
    {
        var low = NewAllocator(Pool("10.0.0.0/24", range: "10.0.0.0/30", id: "low"));
        Assert.Equal(new IpamUsageInfo(2, 0, 2), low.Usage("low"));
        Assert.Equal(A("10.0.0.2"), low.Allocate("low", "a"));
        Assert.Equal(A("10.0.0.3"), low.Allocate("low", "b"));
        Assert.Throws<EngineException>(() => low.Allocate("low", "c"));

        var high = NewAllocator(Pool("10.0.0.0/24", gateway: "10.0.0.254", range: "10.0.0.252/30", id: "high"));
        Assert.Equal(A("10.0.0.252"), high.Allocate("high", "a"));
        Assert.Equal(A("10.0.0.253"), high.Allocate("high", "b"));
        Assert.Throws<EngineException>(() => high.Allocate("high", "c"));
    }

    [Fact]
    public void Concurrent_allocations_get_distinct_addresses()
    {
        var ipam = NewAllocator(Pool("10.1.0.0/16"));
        var all = new ConcurrentBag<uint>();
        using var start = new Barrier(16);
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 200; i++) all.Add(ipam.Allocate("net1", $"t{t}-{i}"));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(3200, all.Count);
        Assert.Equal(3200, all.Distinct().Count());
        Assert.Equal(3200, ipam.Leases("net1").Count);
        Assert.Equal(3200, OpenStoreLeases("net1").Count);
        Assert.DoesNotContain(A("10.1.0.1"), all);
    }

    [Fact]
    public void Concurrent_allocations_and_releases_keep_memory_and_store_in_step()
    {
        var ipam = NewAllocator(Pool("10.2.0.0/24"));
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                var a = ipam.Allocate("net1", $"t{t}");
                if (i % 3 != 0) Assert.True(ipam.Release("net1", a));
                else if (ipam.Usage("net1").Free < 20) ipam.Release("net1", a);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var memory = ipam.Leases("net1").Select(l => l.Address).ToList();
        Assert.Equal(memory, OpenStoreLeases("net1").Select(l => l.Address).ToList());
        Assert.Equal(memory.Count, memory.Distinct().Count());
        Assert.Equal(memory.Count, ipam.Usage("net1").Used);
    }

    [Fact]
    public void Slash8_opens_with_a_small_footprint()
    {
        var store = OpenStore();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ipam = new IpamAllocator(store);
        ipam.OpenPool(Pool("10.0.0.0/8"));
        var addresses = Enumerable.Range(0, 10).Select(i => ipam.Allocate("net1", $"c{i}")).ToList();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Enumerable.Range(2, 10).Select(i => A("10.0.0.0") + (uint)i), addresses);
        Assert.True(allocated < 3 * 1024 * 1024, $"opening a /8 and 10 allocations allocated {allocated:N0} bytes");
        Assert.Equal(new IpamUsageInfo(16_777_213, 10, 16_777_203), ipam.Usage("net1"));
        Assert.Equal(A("10.0.1.0"), ipam.Allocate("net1", "s", A("10.0.1.0"))); // only the /8's own .0 is reserved
    }

    [Fact]
    public void Slash8_wraps_from_the_top_to_the_bottom()
    {
        var store = OpenStore();
        store.Add(new IpamLease("net1", A("10.255.255.253"), "earlier", DateTimeOffset.UnixEpoch)); // cursor near the top
        var ipam = new IpamAllocator(store);
        ipam.OpenPool(Pool("10.0.0.0/8"));
        Assert.Equal(A("10.255.255.254"), ipam.Allocate("net1", "a"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "b")); // .255.255.255 is the broadcast, .0.0.0 the network, .0.0.1 the gateway
        Assert.Equal(A("10.0.0.3"), ipam.Allocate("net1", "c"));
    }

    [Fact]
    public void Opening_is_idempotent_and_a_different_definition_is_refused()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        var a = ipam.Allocate("net1", "c");
        ipam.OpenPool(Pool("10.0.0.0/24"));
        ipam.OpenPool(Pool("10.0.0.0/24", name: "renamed"));
        Assert.Equal([a], ipam.Leases("net1").Select(l => l.Address));
        Assert.Throws<InvalidOperationException>(() => ipam.OpenPool(Pool("10.0.0.0/16")));
        Assert.Throws<InvalidOperationException>(() => ipam.OpenPool(Pool("10.0.0.0/24", gateway: "10.0.0.254")));
    }

    [Theory]
    [InlineData("10.0.0.0/31", null, null)]
    [InlineData("10.0.0.0/7", null, null)]
    [InlineData("10.0.0.0/24", "10.0.0.0", null)]
    [InlineData("10.0.0.0/24", "10.0.0.255", null)]
    [InlineData("10.0.0.0/24", "10.0.1.1", null)]
    [InlineData("10.0.0.0/24", null, "10.0.1.0/28")]
    [InlineData("10.0.0.0/24", null, "10.0.0.0/23")]
    public void Inconsistent_pools_are_refused(string subnet, string? gateway, string? range)
    {
        var ipam = new IpamAllocator(OpenStore());
        var s = IPv4Subnet.Parse(subnet);
        var pool = new IpamPool("p", s, gateway is null ? s.Network + 1 : A(gateway), range is null ? null : IPv4Subnet.Parse(range));
        Assert.Throws<ArgumentException>(() => ipam.OpenPool(pool));
    }

    [Fact]
    public void Unopened_pools_are_refused()
    {
        var ipam = new IpamAllocator(OpenStore());
        Assert.Throws<InvalidOperationException>(() => ipam.Allocate("nope", "c"));
        Assert.Throws<InvalidOperationException>(() => ipam.Release("nope", 1));
        Assert.Throws<InvalidOperationException>(() => ipam.Usage("nope"));
        Assert.Throws<InvalidOperationException>(() => ipam.Leases("nope"));
    }

    [Fact]
    public void Closing_forgets_the_pool_and_deleting_removes_its_leases()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"), out var store);
        ipam.Allocate("net1", "a");
        ipam.Allocate("net1", "b");

        ipam.ClosePool("net1", deleteLeases: false);
        Assert.Throws<InvalidOperationException>(() => ipam.Allocate("net1", "c"));
        ipam.OpenPool(Pool("10.0.0.0/24"));
        Assert.Equal(2, ipam.Leases("net1").Count);
        Assert.Equal(A("10.0.0.4"), ipam.Allocate("net1", "c")); // cursor kept

        ipam.ClosePool("net1", deleteLeases: true);
        Assert.Empty(store.Load("net1"));
        Assert.Null(store.LoadCursor("net1"));
        ipam.OpenPool(Pool("10.0.0.0/24"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "d"));
    }

    [Fact]
    public void Pools_are_independent()
    {
        var store = OpenStore();
        var ipam = new IpamAllocator(store);
        ipam.OpenPool(Pool("10.0.0.0/24", id: "a"));
        ipam.OpenPool(Pool("10.0.0.0/24", id: "b")); // same subnet: overlap checks belong to the caller
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("a", "x"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("b", "x"));
        ipam.ClosePool("a", deleteLeases: true);
        Assert.Single(store.Load("b"));
    }

    [Fact]
    public void Reopening_the_store_restores_leases_and_cursor()
    {
        var pool = Pool("10.0.0.0/24");
        var first = NewAllocator(pool, out var store);
        first.Allocate("net1", "a");                 // .2
        first.Allocate("net1", "b");                 // .3
        first.Allocate("net1", "s", A("10.0.0.50")); // static
        first.Allocate("net1", "c");                 // .4
        first.Release("net1", A("10.0.0.2"));
        var leases = first.Leases("net1");
        var usage = first.Usage("net1");
        (store as IDisposable)?.Dispose();

        var second = NewAllocator(pool);
        Assert.Equal(leases, second.Leases("net1"));
        Assert.Equal(usage, second.Usage("net1"));
        Assert.Equal(A("10.0.0.5"), second.Allocate("net1", "d")); // after the cursor, not the released .2
    }

    [Fact]
    public void Two_allocators_on_one_store_cannot_lease_the_same_address()
    {
        var pool = Pool("10.0.0.0/24");
        var one = NewAllocator(pool);
        var two = NewAllocator(pool); // a second writer: its index does not see the first one's leases
        Assert.Equal(A("10.0.0.2"), one.Allocate("net1", "a"));

        var e = Assert.Throws<IpamConflictException>(() => two.Allocate("net1", "b"));
        Assert.Equal(A("10.0.0.2"), e.Address);
        Assert.Equal("net1", e.PoolId);
        // The loser reloaded the store, so it now sees the lease and moves on.
        Assert.Equal(A("10.0.0.3"), two.Allocate("net1", "b"));
        Assert.Equal(["a", "b"], OpenStoreLeases("net1").Select(l => l.OwnerId));
    }

    [Fact]
    public void Since_is_stored_and_reloaded()
    {
        var ipam = NewAllocator(Pool("10.0.0.0/24"));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        ipam.Allocate("net1", "a");
        var lease = Assert.Single(OpenStoreLeases("net1"));
        Assert.InRange(lease.Since, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(Assert.Single(ipam.Leases("net1")), lease);
    }

    private IReadOnlyList<IpamLease> OpenStoreLeases(string poolId)
    {
        var store = OpenStore();
        try { return store.Load(poolId); }
        finally { (store as IDisposable)?.Dispose(); }
    }
}

public sealed class IpamAllocatorFakeStoreTests : IpamAllocatorTests
{
    private readonly FakeIpamStore _store = new();

    protected override IIpamStore OpenStore() => _store;

    [Fact]
    public void Slash16_allocates_all_65533_addresses()
    {
        var ipam = new IpamAllocator(_store);
        ipam.OpenPool(Pool("172.20.0.0/16"));
        var seen = new bool[65536];
        for (var i = 0; i < 65533; i++)
        {
            var a = ipam.Allocate("net1", "c");
            var host = (int)(a - A("172.20.0.0"));
            Assert.False(seen[host]);
            seen[host] = true;
        }
        Assert.Throws<EngineException>(() => ipam.Allocate("net1", "c"));
        Assert.False(seen[0]);
        Assert.False(seen[1]);
        Assert.False(seen[65535]);
        Assert.Equal(new IpamUsageInfo(65533, 65533, 0), ipam.Usage("net1"));

        // Free a few scattered addresses: the next allocations find them, in round-robin order after the cursor.
        foreach (var a in new[] { "172.20.200.7", "172.20.0.9", "172.20.255.254" }) Assert.True(ipam.Release("net1", A(a)));
        Assert.Equal(A("172.20.0.9"), ipam.Allocate("net1", "x"));
        Assert.Equal(A("172.20.200.7"), ipam.Allocate("net1", "y"));
        Assert.Equal(A("172.20.255.254"), ipam.Allocate("net1", "z"));
    }

    [Fact]
    public void A_failed_store_write_changes_nothing()
    {
        var ipam = new IpamAllocator(_store);
        ipam.OpenPool(Pool("10.0.0.0/24"));
        _store.FailNextWrite = new IOException("disk full");
        Assert.Throws<IOException>(() => ipam.Allocate("net1", "a"));
        Assert.Empty(ipam.Leases("net1"));
        Assert.Equal(A("10.0.0.2"), ipam.Allocate("net1", "a"));

        _store.FailNextWrite = new IOException("disk full");
        Assert.Throws<IOException>(() => ipam.Release("net1", A("10.0.0.2")));
        Assert.Single(ipam.Leases("net1"));
        Assert.Equal(A("10.0.0.3"), ipam.Allocate("net1", "b"));
    }

    [Fact]
    public void Leases_on_reserved_addresses_in_the_store_are_not_indexed()
    {
        _store.Add(new IpamLease("net1", A("10.0.0.1"), "stale", DateTimeOffset.UnixEpoch));
        _store.Add(new IpamLease("net1", A("10.9.9.9"), "stale", DateTimeOffset.UnixEpoch));
        var ipam = new IpamAllocator(_store);
        ipam.OpenPool(Pool("10.0.0.0/24"));
        Assert.Empty(ipam.Leases("net1"));
        Assert.Equal(new IpamUsageInfo(253, 0, 253), ipam.Usage("net1"));
        Assert.True(ipam.Release("net1", A("10.0.0.1"))); // still removable from the store
        Assert.Single(_store.Load("net1"));
    }
}

public sealed class IpamAllocatorSqliteStoreTests : IpamAllocatorTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipam-test-").FullName;
    private readonly List<SqliteIpamStore> _stores = [];

    private string ConnectionString => $"Data Source={Path.Combine(_dir, "engine.db")}";

    protected override IIpamStore OpenStore()
    {
        var store = new SqliteIpamStore(ConnectionString);
        lock (_stores) _stores.Add(store);
        return store;
    }

    public override void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void The_store_rejects_a_duplicate_lease_and_keeps_the_cursor_with_the_lease()
    {
        using var one = new SqliteIpamStore(ConnectionString);
        using var two = new SqliteIpamStore(ConnectionString);
        one.Add(new IpamLease("p", 5, "a", DateTimeOffset.UnixEpoch));
        var e = Assert.Throws<IpamConflictException>(() => two.Add(new IpamLease("p", 5, "b", DateTimeOffset.UnixEpoch)));
        Assert.Contains("0.0.0.5", e.Message);
        Assert.Equal(5u, two.LoadCursor("p"));
        Assert.Equal("a", Assert.Single(two.Load("p")).OwnerId);

        two.Add(new IpamLease("p", 9, "s", DateTimeOffset.UnixEpoch), advanceCursor: false);
        Assert.Equal(5u, one.LoadCursor("p"));
        two.Add(new IpamLease("p", uint.MaxValue - 1, "hi", DateTimeOffset.UnixEpoch));
        Assert.Equal(uint.MaxValue - 1, one.LoadCursor("p"));
        Assert.Equal([5u, 9u, uint.MaxValue - 1], one.Load("p").Select(l => l.Address));

        Assert.True(one.Remove("p", 9));
        Assert.False(one.Remove("p", 9));
        one.DeletePool("p");
        Assert.Empty(two.Load("p"));
        Assert.Null(two.LoadCursor("p"));
    }

    [Fact]
    public void The_database_uses_wal()
    {
        using var store = new SqliteIpamStore(ConnectionString);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString + ";Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
        SqliteIpamStore.EnsureSchema(connection); // idempotent on existing tables
    }

    [Fact]
    public void A_disposed_store_refuses_calls()
    {
        var store = new SqliteIpamStore(ConnectionString);
        store.Dispose();
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Load("p"));
    }
}
