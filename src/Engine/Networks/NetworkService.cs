using System.Net;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Networks;

/// <summary>A network with what the engine knows about its addresses.</summary>
public sealed record NetworkView(Network Network, IpamUsageInfo Usage, IReadOnlyList<IpamLease> Leases);

/// <summary>
/// Creates, lists, inspects and removes bridge networks. Each change follows DESIGN.md §4.4: the intent is recorded
/// (phase Creating/Removing), the kernel is changed inside a rollback scope, then the record is marked done, so a crash
/// at any point leaves something the reconciler can finish or undo. Changes are serialised by one gate, which also makes
/// the overlap and name checks race-free; reads do not take it.
/// </summary>
public sealed class NetworkService(
    StateDbFactory state, NetworkSpace space, BridgeDriver bridges, IpamAllocator ipam, Events.EventHub events,
    Firewall.Foreign.ForeignFirewall foreign, ILogger<NetworkService> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// Per network: allocating an address holds it shared, removing the network exclusive. Removal checks for leases
    /// and then closes the pool; without this a lease could land in between and a container be recorded on a removed
    /// network, whose `rm` would then fail for ever. Allocation does not take <see cref="_gate"/>: creates on one
    /// network still run in parallel.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SharedExclusiveLock> _addressLocks = new();

    /// <summary>Held by the reconciler too, so it never races a create or remove.</summary>
    internal SemaphoreSlim Gate => _gate;

    /// <summary>
    /// Name, id, bridge and subnet of every network record, which a create checks the new network against: kept in memory
    /// rather than read from the database by every create (reading 1,000 records cost a create ~4 ms). Loaded once, then
    /// changed with the records, under the gate; null again after a reconcile, which removes records itself.
    /// </summary>
    private List<KnownNetwork>? _known;

    private sealed record KnownNetwork(string Name, string Id, string Bridge, OccupiedSubnet Subnet)
    {
        public static KnownNetwork Of(Network n) =>
            new(n.Name, n.Id, n.Bridge, new OccupiedSubnet(n.Subnet, $"network '{n.Name}' ({n.Subnet})"));
    }

    /// <summary>The reconciler changed network records: the next create reads them again. Caller holds the gate.</summary>
    internal void ForgetKnownNetworks() => _known = null;

    public async Task<NetworkView> CreateAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        bridges.NoteActivity();
        await _gate.WaitAsync(ct);
        try
        {
            // A bridge name being re-used must wait until the old device of that name is deleted.
            if (NetworkPlanner.RequestedBridgeName(spec.Options) is { } wanted)
                await bridges.WaitForRetiredAsync(wanted).WaitAsync(ct);
            await using var db = state.Create();
            _known ??= (await db.AllNetworksAsync(ct)).Select(KnownNetwork.Of).ToList();
            var plan = NetworkPlanner.Plan(
                spec,
                _known.Select(k => (k.Name, k.Id, k.Bridge)).ToList(),
                Occupied(_known.Select(k => k.Subnet)),
                space.DeviceExists,
                space.Pools);

            var record = new Network(
                plan.Id, plan.Name, "bridge", plan.Subnet, IPv4.ToAddress(plan.Gateway), plan.Range, plan.Bridge, plan.Internal,
                NetworkPhase.Creating, DateTimeOffset.UtcNow, plan.Options, plan.Labels);
            // 1. Intent: the record exists (Creating) before any kernel object, so nothing the kernel gets is unowned.
            await db.AddNetworkAsync(record, ct);
            CrashPoint.Hit("network-create:recorded");

            using (var scope = new RollbackScope(logger, $"create network {plan.Name}"))
            {
                scope.OnRollback($"record of network {plan.Name}", () => DeleteRecord(record.Id));
                // 2. Kernel.
                bridges.Setup(record, scope);
                ipam.OpenPool(PoolOf(record));
                scope.OnRollback($"address pool of {plan.Name}", () => ipam.ClosePool(record.Id, deleteLeases: true));
                CrashPoint.Hit("network-create:pool-opened");
                // 3. Done. CancellationToken.None: past this point, stopping half-way would only cause a rollback.
                record = record with { Phase = NetworkPhase.Ready };
                await db.SetNetworkPhaseAsync(record.Id, record.Phase, CancellationToken.None);
                scope.Complete();
            }
            _known.Add(KnownNetwork.Of(record));
            // After the bridge is in our own table (which isolates it): an accept in a foreign FORWARD DROP chain lets
            // through only what our table allows.
            Foreign(() => foreign.OpenBridge(record.Bridge), $"network {record.Name} may be blocked by another tool's firewall");
            logger.LogInformation("Created network {Network} ({Id}) subnet {Subnet} gateway {Gateway} bridge {Bridge}",
                record.Name, record.Id[..12], record.Subnet, record.Gateway, record.Bridge);
            events.Publish(Events.EngineEvents.NetworkCreated(record.Id, record.Name));
            return View(record);
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// Runs every check <see cref="CreateAsync"/> runs (name, driver, options, subnet, gateway, ip-range, overlap with
    /// other networks and the host's routes and addresses) and creates nothing: the dashboard's form calls it as the
    /// user types. Throws the same <see cref="EngineException"/> create would; the returned plan's id and default
    /// bridge name are throw-away. Does not take the gate, so a concurrent create can still win the race; create checks again.
    /// </summary>
    public async Task<NetworkPlan> ValidateAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        await using var db = state.Create();
        var records = await db.AllNetworksAsync(ct);
        return NetworkPlanner.Plan(
            spec,
            records.Select(r => (r.Name, r.Id, r.Bridge)).ToList(),
            Occupied(records.Select(KnownNetwork.Of).Select(k => k.Subnet)),
            space.DeviceExists,
            space.Pools);
    }

    /// <summary>The subnet a create without --subnet would get now (first free one of the address pools).</summary>
    public async Task<IPv4Subnet> SuggestSubnetAsync(CancellationToken ct = default)
    {
        await using var db = state.Create();
        var records = await db.AllNetworksAsync(ct);
        return NetworkPlanner.PickFreeSubnet(space.Pools, Occupied(records.Select(KnownNetwork.Of).Select(k => k.Subnet)));
    }

    public async Task<IReadOnlyList<NetworkView>> ListAsync(CancellationToken ct = default)
    {
        await using var db = state.Create();
        var records = await db.ReadyNetworksAsync(ct);
        return records.OrderBy(r => r.Name, StringComparer.Ordinal).Select(View).ToList();
    }

    public async Task<NetworkView> GetAsync(string idOrName, CancellationToken ct = default)
    {
        await using var db = state.Create();
        var record = await ResolveAsync(db, idOrName, ct);
        try { return View(record); }
        catch (InvalidOperationException) when (!ipam.IsOpen(record.Id))
        {
            // The pool closed after the lookup: an rm or prune (which mark the record Removing before they close the
            // pool) took the network meanwhile. Look again to answer as a moment later: not found, naming the network
            // (a `run` racing `network prune` got "IPAM pool '<id>' is not open" here).
        }
        return View(await ResolveAsync(db, idOrName, ct));
    }

    /// <summary>What the kernel holds for the network now (see <see cref="NetworkPlumbing"/>).</summary>
    public async Task<NetworkPlumbing> GetPlumbingAsync(string idOrName, CancellationToken ct = default)
    {
        await using var db = state.Create();
        return bridges.Inspect(await ResolveAsync(db, idOrName, ct));
    }

    /// <summary>Removes the network: refused while addresses are leased to endpoints.</summary>
    public async Task RemoveAsync(string idOrName, CancellationToken ct = default)
    {
        bridges.NoteActivity();
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = state.Create();
            var record = await ResolveAsync(db, idOrName, ct);
            using (await AddressLockOf(record.Id).ExclusiveAsync(ct))
            {
                var leases = ipam.Leases(record.Id);
                if (leases.Count > 0)
                {
                    var on = (await db.ContainersOnNetworkAsync(record.Id, ct)).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
                    string who = on.Count > 0 ? $"containers {string.Join(", ", on.Take(5).Select(n => $"'{n}'"))}{(on.Count > 5 ? ", …" : "")}"
                        : string.Join(", ", leases.Take(5).Select(l => $"{l.OwnerId} {IPv4.ToAddress(l.Address)}"));
                    throw EngineException.Conflict(
                        $"network '{record.Name}' has {leases.Count} active endpoint(s) ({who}); disconnect them first (mydocker network disconnect {record.Name} CONTAINER) or remove them (mydocker rm -f CONTAINER)");
                }
                await RemoveLockedAsync(db, record, ct);
            }
        }
        finally { _gate.Release(); }
    }

    /// <summary>Removes every network no endpoint uses; returns their names (Docker's `network prune`).</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(CancellationToken ct = default)
    {
        bridges.NoteActivity();
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = state.Create();
            var candidates = (await db.ReadyNetworksAsync(ct))
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
            var removed = new List<string>();
            foreach (var record in candidates)
                using (await AddressLockOf(record.Id).ExclusiveAsync(ct))
                {
                    if (ipam.Leases(record.Id).Count > 0) continue;
                    await RemoveLockedAsync(db, record, ct);
                    removed.Add(record.Name);
                }
            return removed;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Intent (Removing), kernel teardown, then the record goes. The caller holds the gate.</summary>
    private async Task RemoveLockedAsync(StateDb db, Network record, CancellationToken ct)
    {
        record = record with { Phase = NetworkPhase.Removing };
        await db.SetNetworkPhaseAsync(record.Id, record.Phase, ct);
        CrashPoint.Hit("network-remove:marked");
        TeardownKernel(record);
        CrashPoint.Hit("network-remove:kernel-done");
        await db.DeleteNetworkAsync(record.Id, CancellationToken.None);
        _addressLocks.TryRemove(record.Id, out _); // a waiter still holding it finds the network gone
        _known?.RemoveAll(k => k.Id == record.Id);
        Foreign(() => foreign.CloseBridge(record.Bridge), $"the accept rules of network {record.Name} could not be removed from another tool's FORWARD chain");
        logger.LogInformation("Removed network {Network} ({Id})", record.Name, record.Id[..12]);
        events.Publish(Events.EngineEvents.NetworkDestroyed(record.Id, record.Name));
    }

    /// <summary>Lets one bridge through a foreign FORWARD DROP chain, or takes it out (see <see cref="Firewall.Foreign.ForeignFirewall"/>):
    /// that bridge's rules only, so the cost does not grow with the number of networks. A failure is logged, not thrown:
    /// the network itself is made, and `mydocker system doctor` names the blocker.</summary>
    private void Foreign(Action change, string problem)
    {
        try { change(); }   // logs what it changes
        catch (Exception e) when (e is EngineException or Kernel.KernelException)
        {
            logger.LogWarning("{Problem}: {Error}; see 'mydocker system doctor'", problem, e.Message);
        }
    }

    /// <summary>Leases an address of the network to an endpoint (a container). Refused with NotFound when the network
    /// is removed meanwhile (see <see cref="_addressLocks"/>).</summary>
    public async Task<IPAddress> AllocateAddressAsync(string idOrName, string ownerId, IPAddress? requested = null, CancellationToken ct = default)
    {
        await using var db = state.Create();
        var record = await ResolveAsync(db, idOrName, ct);
        uint? wanted = requested is null ? null : IPv4.ToUInt(requested);
        using (await AddressLockOf(record.Id).SharedAsync(ct))
        {
            // A removal that held the lock before us has closed the pool, or left the network half-removed.
            if (!await db.IsNetworkReadyAsync(record.Id, ct))
                throw EngineException.NotFound($"network '{record.Name}' was removed meanwhile; create it again or choose another network");
            return IPv4.ToAddress(ipam.Allocate(record.Id, ownerId, wanted));
        }
    }

    /// <summary>Returns an endpoint's address to the pool of a network known by its id (the address pool's id); false if
    /// it was not leased. No lookup, so a container's teardown and rollback, which hold the id, need neither the
    /// database nor an await. A pool that is not open (its network was removed, which deleted its leases with it) has
    /// nothing to give back: false, so a container's teardown never fails on it.</summary>
    public bool ReleaseAddress(string networkId, IPAddress address)
    {
        try { return ipam.Release(networkId, IPv4.ToUInt(address)); }
        catch (InvalidOperationException) when (!ipam.IsOpen(networkId)) { return false; }
    }

    /// <summary>Releases every address of the network leased to <paramref name="ownerId"/> (a connect cut short by a
    /// crash before its lease was recorded). A pool that is not open has none.</summary>
    public void ReleaseAddressesOf(string networkId, string ownerId)
    {
        try
        {
            foreach (var lease in ipam.Leases(networkId).Where(l => l.OwnerId == ownerId)) ipam.Release(networkId, lease.Address);
        }
        catch (InvalidOperationException) when (!ipam.IsOpen(networkId)) { }
    }

    /// <summary>Removes the kernel state and the address pool of a network; throws listing every failed step.</summary>
    internal void TeardownKernel(Network record, bool deleteDeviceNow = false)
    {
        var t = new Teardown();
        bridges.Teardown(record, t, deleteDeviceNow);
        t.Step($"address pool of {record.Name}", () => ipam.ClosePool(record.Id, deleteLeases: true));
        t.ThrowIfFailed($"removing network '{record.Name}'");
    }

    private SharedExclusiveLock AddressLockOf(string networkId) => _addressLocks.GetOrAdd(networkId, _ => new SharedExclusiveLock());

    internal static IpamPool PoolOf(Network n) => new(n.Id, n.Subnet, IPv4.ToUInt(n.Gateway), n.IpRange, n.Name);

    private NetworkView View(Network n) => new(n, ipam.Usage(n.Id), ipam.Leases(n.Id));

    /// <summary>Docker's lookup order (<see cref="Lookup"/>).</summary>
    private static Task<Network> ResolveAsync(StateDb db, string idOrName, CancellationToken ct) => db.ResolveNetworkAsync(idOrName, ct);

    private void DeleteRecord(string id)
    {
        using var db = state.Create();
        db.DeleteNetwork(id);
    }

    /// <summary>Subnets a new network must not overlap: other networks (<paramref name="networks"/>), and the host's own
    /// routes, addresses and name servers (<see cref="NetworkSpace.OccupiedByHost"/>).</summary>
    private List<OccupiedSubnet> Occupied(IEnumerable<OccupiedSubnet> networks) => [.. networks, .. space.OccupiedByHost()];
}
