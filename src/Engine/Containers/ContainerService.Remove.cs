using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Removes the container and everything it owns: process, monitor, veth, netns, rootfs mount and layer,
    /// lease, files, record. A running container is refused unless <paramref name="force"/> (then it is killed).</summary>
    public async Task RemoveAsync(string idOrName, bool force, CancellationToken ct = default)
    {
        resources.NoteActivity();
        string id = await IdOfAsync(idOrName, ct);
        var gate = operations.LockOf(id);
        await gate.WaitAsync(ct);
        Container record;
        List<(string Id, string Name)> networks = [];
        var busy = operations.Busy(id);
        try
        {
            await using var db = state.Create();
            record = await ResolveAsync(db, id, ct);
            if (record.Phase == ContainerPhase.Running && !force)
                throw EngineException.Conflict(
                    $"container '{record.Name}' is running; stop it first (mydocker stop {record.Name}) or remove it with -f");
            bool wasRunning = record.Phase == ContainerPhase.Running;
            foreach (var e in record.Endpoints)
                networks.Add((e.NetworkId, (await db.FindNetworkAsync(e.NetworkId, CancellationToken.None))?.Name ?? ""));
            // 1. Intent.
            var removing = record with { Phase = ContainerPhase.Removing };
            await db.UpdateContainerAsync(record, removing, CancellationToken.None);
            record = removing;
            CrashPoint.Hit("container-remove:marked");
            // 2. Kernel and files.
            if (wasRunning) events.Publish(Events.EngineEvents.ContainerKilled(record, SigKill));
            await TeardownAsync(record);
            CrashPoint.Hit("container-remove:kernel-done");
            // 3. Done.
            await db.DeleteContainerAsync(id, CancellationToken.None);
            if (wasRunning) events.Publish(Events.EngineEvents.ContainerDied(record, 137));
        }
        finally
        {
            busy.Dispose();
            gate.Release();
        }
        operations.Forget(id);
        processes.Attach.FailAll(id, EngineException.NotFound($"container '{record.Name}' was removed"));
        processes.Execs.ForgetContainer(id);
        logger.LogInformation("Removed container {Container} ({Id})", record.Name, id[..12]);
        // Docker's disconnect event names the network as connect does ("name") and the container.
        foreach (var (networkId, networkName) in networks) events.Publish(Events.EngineEvents.NetworkDisconnected(networkId, networkName, id));
        events.Publish(Events.EngineEvents.ContainerDestroyed(record));
    }

    /// <summary>Removes every kernel object and file of the container; every step runs, failures are reported together.
    /// Also used by the reconciler for half-made and half-removed containers, so each step tolerates "already gone".</summary>
    internal async Task TeardownAsync(Container record)
    {
        var paths = resources.Paths(record.Id);
        var t = new Teardown();
        // Names first: nothing may resolve to an address that is about to be released and leased again.
        await t.StepAsync("names", () => resources.WithdrawNamesAsync(record.Id, CancellationToken.None));
        // The process first (runc delete --force kills it), so nothing still runs in the netns or on the rootfs.
        await t.StepAsync("process and runtime state", () => processes.Runtime.DeleteAsync(record.Id, CancellationToken.None));
        t.Step("exit file", () => processes.Runtime.ClearExit(record.Id));
        t.Step("published ports", () => WithdrawPorts(record));
        t.Step("port reservations", () => ports.Release(record.Id));
        foreach (var e in record.Endpoints) resources.TeardownEndpoint(record.Id, e.InterfaceIndex, t);
        t.Step($"netns {paths.NetnsName}", () => resources.RemoveNetns(paths));
        t.Step($"rootfs mount {paths.Rootfs}", () => resources.UnmountRootfs(paths));
        foreach (var e in record.Endpoints)
            if (e.Ip is { } ip) t.Step($"address {ip}", () => resources.ReleaseAddress(e.NetworkId, ip));
            else t.Step($"addresses on network {ShortId.Of(e.NetworkId)}", () => resources.ReleaseAddressesOf(e.NetworkId, record.Id));
        t.Step($"directory {paths.Dir}", () => { if (Directory.Exists(paths.Dir)) Directory.Delete(paths.Dir, recursive: true); });
        t.ThrowIfFailed($"removing container '{record.Name}'");
    }
}
