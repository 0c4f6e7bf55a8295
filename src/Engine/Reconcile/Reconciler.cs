using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;

namespace MyDocker.Engine.Reconcile;

/// <summary>
/// Compares the database (desired state) with the kernel and repairs drift both ways (DESIGN.md §4.4):
/// records left half-made by a crash are rolled back or finished, live records get their missing kernel objects back,
/// and engine-marked kernel objects that no record owns are removed. Runs at start-up and on demand; every step runs
/// even if another fails, and the report lists what changed and what failed.
/// </summary>
public sealed class Reconciler(
    StateDbFactory state, IRtNetlink netlink, IFirewall firewall, BridgeDriver bridges, IpamAllocator ipam,
    NetworkService networks, LinkReaper reaper, HostForwarding forwarding, ContainerReconciler containers, ForeignFirewall foreign,
    ILogger<Reconciler> logger)
{
    /// <param name="firstRun">The daemon's start: the firewall table is rebuilt even when it matches.</param>
    /// <param name="orphansLater">Leave engine objects no record owns (and processes left in orphaned cgroups) to
    /// <see cref="RemoveOrphansAsync"/>: at start-up the API answers first and those are removed in the background; nothing
    /// a request needs waits for them (a new container gets a new id, so nothing of an orphan is in its way).</param>
    public async Task<ReconcileReport> RunAsync(bool firstRun = false, CancellationToken ct = default, bool orphansLater = false)
    {
        await networks.Gate.WaitAsync(ct);
        // Devices already being deleted are not drift: let those deletions finish before looking.
        try { await reaper.DrainAsync().WaitAsync(ct); return Run(firstRun, orphansLater); }
        finally
        {
            networks.ForgetKnownNetworks();
            networks.Gate.Release();
        }
    }

    /// <summary>Removes what no container record owns (see <see cref="ContainerReconciler"/>); logs what it did.</summary>
    public Task<ReconcileReport> RemoveOrphansAsync() => Task.Run(() =>
    {
        var report = new ReconcileReport();
        containers.RemoveOrphans(report, Attempt(report));
        Log(report);
        logger.LogInformation("Orphan clean-up done: {Removed} removed, {Errors} errors", report.Removed.Count, report.Errors.Count);
        return report;
    });

    private static Action<string, Action> Attempt(ReconcileReport report) => (what, action) =>
    {
        try { action(); }
        catch (Exception e) { report.Errors.Add($"{what}: {e.Message}"); }
    };

    private void Log(ReconcileReport report)
    {
        foreach (var line in report.Repaired) logger.LogInformation("Reconcile repaired: {Change}", line);
        foreach (var line in report.Removed) logger.LogInformation("Reconcile removed: {Change}", line);
        foreach (var line in report.Errors) logger.LogError("Reconcile failed: {Error}", line);
    }

    private ReconcileReport Run(bool firstRun, bool orphansLater)
    {
        var report = new ReconcileReport();
        var Try = Attempt(report);

        using var db = state.Create();
        var records = db.Networks.ToList();

        // 1. Operations a crash interrupted: Creating is rolled back, Removing is finished. Either way the record goes.
        foreach (var r in records.Where(r => r.Phase != NetworkPhase.Ready))
            Try($"finish {(r.Phase == NetworkPhase.Creating ? "rollback of" : "removal of")} network '{r.Name}'", () =>
            {
                networks.TeardownKernel(r, deleteDeviceNow: true);
                db.Networks.Remove(r);
                db.SaveChanges();
                report.Removed.Add(r.Phase == NetworkPhase.Creating
                    ? $"half-made network '{r.Name}' (bridge {r.Bridge}) rolled back"
                    : $"network '{r.Name}' (bridge {r.Bridge}) removal finished");
            });
        var live = records.Where(r => r.Phase == NetworkPhase.Ready).ToList();

        // 2. Live records: address pools loaded, devices present, marked, addressed and up. One dump serves all.
        var links = netlink.ListLinks();
        var addresses = netlink.ListAddresses();
        foreach (var r in live)
        {
            Try($"address pool of network '{r.Name}'", () => ipam.OpenPool(NetworkService.PoolOf(r)));
            Try($"bridge of network '{r.Name}'", () => report.Repaired.AddRange(bridges.Repair(r, links, addresses)));
        }

        // 3. Devices carrying our mark that no live record owns (devices step 2 re-created are owned, so the same dump will do).
        var owned = live.Select(r => BridgeDriver.AliasFor(r.Id)).ToHashSet();
        foreach (var link in links)
        {
            if (link.Alias is null || !link.Alias.StartsWith(BridgeDriver.AliasPrefix) || owned.Contains(link.Alias)) continue;
            Try($"orphan device {link.Name}", () =>
            {
                netlink.DeleteLink(link.Name);
                report.Removed.Add($"orphan bridge {link.Name} ({link.Alias}) deleted");
            });
        }

        // 4. Containers, now that their networks' pools and bridges are in place.
        containers.Run(report, Try, orphans: !orphansLater);

        // 5. Address pools whose network is gone (deleted through the allocator, which owns those tables).
        Try("orphan address pools", () =>
        {
            var liveIds = live.Select(r => r.Id).ToList();
            var orphans = db.IpamLeases.Where(l => !liveIds.Contains(l.PoolId)).Select(l => l.PoolId)
                .Union(db.IpamCursors.Where(c => !liveIds.Contains(c.PoolId)).Select(c => c.PoolId))
                .ToList();
            foreach (var pool in orphans) ipam.ClosePool(pool, deleteLeases: true);
            if (orphans.Count > 0) report.Removed.Add($"address leases of {orphans.Count} removed network(s) released");
        });

        // 6. The firewall: replaced atomically with exactly the live networks' elements when it differs (always at start-up,
        //    which also restores base rules someone edited by hand; the sets alone would not show that).
        Try("nftables table", () =>
        {
            var want = live.Select(BridgeDriver.FirewallView).ToList();
            var wantPorts = ContainerService.MappingsOfRunning(db.Containers.AsNoTracking().ToList());
            var have = firewall.Read();
            bool same = have.Matches(want, wantPorts, forwarding.OwnedByEngine);
            if (want.Count == 0)
            {
                // No networks, no forwarding of ours, no table: an idle daemon leaves no trace. Forwarding goes off before
                // the table that holds its drop goes (AddNetwork and Enable make both again).
                if (forwarding.ReleaseIfOwned()) report.Removed.Add("IPv4 forwarding turned off again: MyDocker had turned it on and no network needs it");
                if (!have.Present) return;
                firewall.Remove();
                report.Removed.Add("nftables table removed: no networks need it");
                return;
            }
            if (same && !firstRun) return;
            firewall.Rebuild(want, wantPorts);
            if (same) return;
            report.Repaired.Add(have.TableExists
                ? $"nftables table rebuilt for {want.Count} network(s) and {wantPorts.Count} published port(s)"
                : $"nftables table created for {want.Count} network(s) and {wantPorts.Count} published port(s)");
        });
        // 7. Another tool's FORWARD chain with policy drop (Docker's) would drop our bridges' traffic: our accept rules there
        //    follow the live bridges (none left: ours are removed).
        Try("another tool's firewall (iptables FORWARD)", () => report.Repaired.AddRange(foreign.Open(live.Select(r => r.Bridge).ToList())));
        if (live.Count > 0) Try("IPv4 forwarding", () => forwarding.Enable(firewall));

        Log(report);
        return report;
    }
}
