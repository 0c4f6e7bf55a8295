using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Removes the container and everything it owns: process, monitor, veth, netns, rootfs mount and layer,
    /// lease, files, record. A running container is refused unless <paramref name="force"/> (then it is killed).</summary>
    public async Task RemoveAsync(string idOrName, bool force, CancellationToken ct = default)
    {
        reaper.NoteActivity();
        string id = await IdOfAsync(idOrName, ct);
        var gate = LockOf(id);
        await gate.WaitAsync(ct);
        ContainerRecord record;
        string? networkName;
        _busy[id] = 0;
        try
        {
            await using var db = state.Create();
            record = await ResolveAsync(db, id, ct);
            if (record.Phase == ContainerPhase.Running && !force)
                throw EngineException.Conflict(
                    $"container '{record.Name}' is running; stop it first (mydocker stop {record.Name}) or remove it with -f");
            bool wasRunning = record.Phase == ContainerPhase.Running;
            networkName = await db.Networks.Where(n => n.Id == record.NetworkId).Select(n => n.Name).FirstOrDefaultAsync(CancellationToken.None);
            // 1. Intent.
            record.Phase = ContainerPhase.Removing;
            await db.SaveChangesAsync(CancellationToken.None);
            CrashPoint.Hit("container-remove:marked");
            // 2. Kernel and files.
            if (wasRunning) events.Publish(Events.EngineEvents.ContainerKilled(record, SigKill));
            await TeardownAsync(record);
            CrashPoint.Hit("container-remove:kernel-done");
            // 3. Done.
            await db.Containers.Where(c => c.Id == id).ExecuteDeleteAsync(CancellationToken.None);
            if (wasRunning) events.Publish(Events.EngineEvents.ContainerDied(record, 137));
        }
        finally
        {
            _busy.TryRemove(id, out _);
            gate.Release();
        }
        _locks.TryRemove(id, out _);
        FailAttachWaiters(id, EngineException.NotFound($"container '{record.Name}' was removed"));
        ForgetExecs(id);
        logger.LogInformation("Removed container {Container} ({Id})", record.Name, id[..12]);
        // Docker's disconnect event names the network as connect does ("name") and the container.
        events.Publish(Events.EngineEvents.NetworkDisconnected(record.NetworkId, networkName ?? "", id));
        events.Publish(Events.EngineEvents.ContainerDestroyed(record));
    }

    /// <summary>Removes every kernel object and file of the container; every step runs, failures are reported together.
    /// Also used by the reconciler for half-made and half-removed containers, so each step tolerates "already gone".</summary>
    internal async Task TeardownAsync(ContainerRecord record)
    {
        var paths = ContainerPaths.For(options, record.Id);
        var t = new Teardown();
        // The process first (runc delete --force kills it), so nothing still runs in the netns or on the rootfs.
        await t.StepAsync("process and runtime state", () => runtime.DeleteAsync(record.Id, CancellationToken.None));
        t.Step("exit file", () => runtime.ClearExit(record.Id));
        t.Step("published ports", () => WithdrawPorts(record));
        t.Step("port reservations", () => ports.Release(record.Id));
        endpoints.Teardown(record.Id, t);
        t.Step($"netns {paths.NetnsName}", () => netns.Remove(paths.NetnsName));
        t.Step($"rootfs mount {paths.Rootfs}", () => OverlayMount.Unmount(paths.Rootfs));
        if (record.IpAddress is { } ip)
            t.Step($"address {ip}", () => networks.ReleaseAddress(record.NetworkId, System.Net.IPAddress.Parse(ip)));
        t.Step($"directory {paths.Dir}", () => { if (Directory.Exists(paths.Dir)) Directory.Delete(paths.Dir, recursive: true); });
        t.ThrowIfFailed($"removing container '{record.Name}'");
    }
}
