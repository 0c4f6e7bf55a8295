using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Network;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;

namespace MyDocker.Engine.Reconcile;

/// <summary>
/// The container half of reconciliation (DESIGN.md §4.4), run by <see cref="Reconciler"/> once the networks' pools and
/// bridges are in place: containers a crash left half-made are rolled back and half-removed ones finished; live ones get
/// back a missing rootfs mount, netns or veth; and every engine-made object no container owns — runc state, monitors,
/// cgroups (and the processes in them), veths, netns mounts, overlay mounts, directories, leases — is removed
/// (<see cref="RemoveOrphansAsync"/>, which the start-up reconcile leaves to the background: nothing a request needs waits
/// for it, and killing someone's leftover processes can take long).
/// </summary>
public sealed class ContainerReconciler(
    StateDbFactory state, EngineOptions options, ContainerService containers, ContainerRuntime runtime, ImageService images,
    NetnsStore netns, EndpointDriver endpoints, IRtNetlink netlink, IpamAllocator ipam, ExitWatcher exits,
    Ports.PortForwarder ports, Events.EventHub events, OperationRegistry operations)
{
    internal async Task RunAsync(ReconcileResult result)
    {
        var report = result.Report;
        await using var db = state.Create();
        var records = await db.AllContainersAsync();

        // 1. Operations a crash interrupted (an operation still running in this process is not drift).
        foreach (var r in records.Where(r => r.Phase is ContainerPhase.Creating or ContainerPhase.Removing && !operations.IsBusy(r.Id)))
            await result.AttemptAsync($"finish {(r.Phase == ContainerPhase.Creating ? "rollback of" : "removal of")} container '{r.Name}'", async () =>
            {
                await containers.TeardownAsync(r);
                await db.DeleteContainerAsync(r.Id);
                report.Removed.Add(r.Phase == ContainerPhase.Creating
                    ? $"half-made container '{r.Name}' ({r.Id[..12]}) rolled back"
                    : $"container '{r.Name}' ({r.Id[..12]}) removal finished");
            });
        var live = await db.AllContainersAsync();
        var settled = live.Where(r => r.Phase is ContainerPhase.Created or ContainerPhase.Running or ContainerPhase.Exited).ToList();
        var networks = (await db.AllNetworksAsync(CancellationToken.None)).ToDictionary(n => n.Id);
        var hostLinks = netlink.ListLinks();

        // 2. Live containers: rootfs mounted, netns and endpoint in place; a "running" container whose process is gone
        //    and left no exit file (its monitor died with it) is marked exited.
        foreach (var r in settled)
        {
            var paths = ContainerPaths.For(options, r.Id);
            await result.AttemptAsync($"rootfs of container '{r.Name}'", async () =>
            {
                if (OverlayMount.IsMounted(paths.Rootfs)) return;
                var image = await images.GetAsync(r.ImageId, CancellationToken.None);
                OverlayMount.Mount(images.LowerDirs(image), paths.Upper, paths.Work, paths.Rootfs);
                report.Repaired.Add($"rootfs of container '{r.Name}' mounted again");
            });
            result.Attempt($"network of container '{r.Name}'", () =>
            {
                if (r.Endpoint.Ip is not { } ip || !networks.TryGetValue(r.Endpoint.NetworkId, out var network)) return;
                if (!netns.Exists(paths.NetnsName))
                {
                    netns.Create(paths.NetnsName);
                    report.Repaired.Add($"netns of container '{r.Name}' created again");
                }
                var plan = ContainerService.EndpointPlanFor(r.Id, network, ip, paths);
                report.Repaired.AddRange(endpoints.Repair(plan, hostLinks));
            });
            result.Attempt($"published ports of container '{r.Name}'", () =>
            {
                foreach (var problem in ports.Restore(r.Id, r.Name, r.Spec.Ports)) result.Problem(problem);
            });
            if (r.Phase != ContainerPhase.Running)
                result.Attempt($"runtime state of container '{r.Name}'", () =>
                {
                    if (containers.RemoveUnstartedRuntime(r.Id) is { } removed) report.Removed.Add(removed);
                });
            if (r.Phase == ContainerPhase.Running)
                await result.AttemptAsync($"state of container '{r.Name}'", async () =>
                {
                    var s = await runtime.StateAsync(r.Id, CancellationToken.None);
                    if (s is { Status: "running" }) return;
                    if (s is { Status: "created" })
                    {
                        // Never "Up" for a process that never ran: the start is finished (or the exit recorded).
                        if (containers.FinishInterruptedStart(r.Id) is { } done) report.Repaired.Add(done);
                        return;
                    }
                    if (runtime.ReadExit(r.Id) is not null)
                    {
                        // An exit the exit loop has not recorded (missed, or recording it failed): hand it back to the
                        // loop, which takes the container's lock; the reconcile holds the network gate and must not.
                        exits.Recheck(r.Id);
                        report.Repaired.Add($"exit of container '{r.Name}' handed to the exit loop");
                        return;
                    }
                    containers.MarkLost(r.Id);
                    report.Repaired.Add($"container '{r.Name}' was running but its process is gone; marked exited (255)");
                });
        }
    }

    /// <summary>
    /// Removes engine-made objects no container owns, killing processes left in orphaned cgroups. Safe beside creates and
    /// removes: an id counts as live if a record has it or an operation of this process holds it.
    /// </summary>
    /// <remarks>One at a time: the <see cref="Reconciler"/> holds its orphan gate around it.</remarks>
    internal async Task RemoveOrphansAsync(ReconcileResult result)
    {
        var report = result.Report;
        await using var db = state.Create();
        var liveIds = (await db.ContainerIdsAsync()).ToHashSet();
        // This runs beside creates and removes, so "no record in the snapshot" is not "orphan": an id is live if the
        // snapshot has it, an operation of this process holds it (set before it makes anything), or its record appeared
        // since the snapshot was read.
        bool IsLive(string id) =>
            liveIds.Contains(id) || operations.IsBusy(id) || db.ContainerExists(id);
        var networks = (await db.AllNetworksAsync(CancellationToken.None)).ToDictionary(n => n.Id);

        // 3. Engine objects nobody owns.
        await result.AttemptAsync("orphan runtime state", async () =>
        {
            foreach (var id in await runtime.RemoveOrphansAsync(IsLive, CancellationToken.None))
            {
                report.Removed.Add($"orphan container process, monitor or cgroup {id[..Math.Min(12, id.Length)]} removed");
                events.Publish(Events.EngineEvents.OrphanDestroyed(id));
            }
        });
        result.Attempt("orphan veths", () =>
        {
            foreach (var link in EndpointDriver.OrphanVeths(netlink.ListLinks(), IsLive))
            {
                var t = new Common.Teardown();
                endpoints.Teardown(EndpointDriver.ContainerIdOf(link)!, t, deleteNow: true);
                t.ThrowIfFailed($"deleting orphan veth {link.Name}");
                report.Removed.Add($"orphan veth {link.Name} ({link.Alias}) deleted");
            }
        });
        result.Attempt("orphan netns", () =>
        {
            foreach (var name in netns.List().Where(n => !IsLive(n)))
            {
                netns.Remove(name);
                report.Removed.Add($"orphan netns {name[..Math.Min(12, name.Length)]} removed");
            }
        });
        result.Attempt("orphan container directories", () =>
        {
            string root = ContainerPaths.ContainersDir(options);
            foreach (var mount in OverlayMount.MountedUnder(root + "/"))
            {
                string id = Path.GetRelativePath(root, mount).Split('/')[0];
                if (IsLive(id)) continue;
                OverlayMount.Unmount(mount);
                report.Removed.Add($"orphan rootfs mount {mount} unmounted");
            }
            if (!Directory.Exists(root)) return;
            foreach (var dir in Directory.GetDirectories(root))
            {
                if (IsLive(Path.GetFileName(dir)) || OverlayMount.MountedUnder(dir + "/").Count > 0) continue;
                Directory.Delete(dir, recursive: true);
                report.Removed.Add($"orphan container directory {Path.GetFileName(dir)[..Math.Min(12, Path.GetFileName(dir).Length)]} deleted");
            }
        });
        result.Attempt("orphan address leases", () =>
        {
            foreach (var network in networks.Values.Where(n => n.Phase == NetworkPhase.Ready))
                foreach (var lease in ipam.Leases(network.Id).Where(l => !IsLive(l.OwnerId)))
                {
                    ipam.Release(network.Id, lease.Address);
                    report.Removed.Add($"lease {IPv4.ToAddress(lease.Address)} of network '{network.Name}' released (owner {lease.OwnerId[..Math.Min(12, lease.OwnerId.Length)]} is gone)");
                }
        });
        result.Attempt("image store", () => report.Removed.AddRange(images.CleanUpAfterCrash()));
    }
}
