using System.Net;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Events;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

/// <summary>
/// `network connect` and `network disconnect`. A container's netns and its veths exist from create to rm (a stopped
/// container keeps them, as it keeps its addresses), so both change the kernel whatever the container's state: the
/// interface appears or goes at once. Like create and rm they record their intent first (the endpoint's phase
/// Connecting/Disconnecting), so a crash at any step leaves something the reconciler rolls back (connect: the whole
/// attachment goes) or finishes (disconnect): <see cref="FinishInterruptedAttachment"/>.
/// </summary>
public sealed partial class ContainerService
{
    /// <summary>Connects the container to the network as its next free ethN, with its own lease (<paramref name="ip"/>
    /// if given) and <paramref name="aliases"/>. Nothing changes when a check fails.</summary>
    /// <exception cref="EngineException">NotFound: no such container or network. Forbidden: already connected.
    /// InvalidArgument: a bad address or alias. Conflict: the address is taken, or the container is being created or removed.</exception>
    public async Task<ContainerView> ConnectAsync(
        string networkIdOrName, string containerIdOrName, string? ip, IReadOnlyList<string>? aliases, CancellationToken ct = default)
    {
        resources.NoteActivity();
        if (string.IsNullOrWhiteSpace(networkIdOrName))
            throw EngineException.Invalid("no network given; name the network to connect to (mydocker network connect NET CONTAINER)");
        string id = await IdOfAsync(containerIdOrName, ct);
        var network = (await resources.NetworkAsync(networkIdOrName, ct)).Network;
        var requested = ParseIp(ip, network);
        var gate = operations.LockOf(id);
        await gate.WaitAsync(ct);
        Endpoint endpoint;
        Container record;
        try
        {
            using var busy = operations.Busy(id);
            await using var db = state.Create();
            record = await ResolveAsync(db, id, ct);
            RequireSettled(record, "connect");
            if (record.EndpointOn(network.Id) is not null)
                throw EngineException.Forbidden(
                    $"container '{record.Name}' is already connected to network '{network.Name}'; to change its address or aliases, disconnect it first (mydocker network disconnect {network.Name} {record.Name})");
            var names = EndpointAliases.Validate(aliases, record.Name);
            int index = Enumerable.Range(0, Endpoint.MaxInterfaces).FirstOrDefault(i => record.Endpoints.All(e => e.InterfaceIndex != i), -1);
            if (index < 0)
                throw EngineException.Invalid($"container '{record.Name}' already has {Endpoint.MaxInterfaces} interfaces; disconnect it from a network first");
            endpoint = new Endpoint(network.Id, null, null) { InterfaceIndex = index, Aliases = names, StaticIp = requested, Phase = EndpointPhase.Connecting };
            await ConnectLockedAsync(db, record, network, endpoint);
            // The attachment is whole and recorded; its name answers before connect returns. (A failure here leaves the
            // attachment and reports the error; the resolver gets the names with the table at its next connection.)
            var connected = await ResolveAsync(db, id, CancellationToken.None);
            await RewriteEtcFilesAsync(db, connected, CancellationToken.None);
            await PublishNamesAsync(db, connected, CancellationToken.None);
        }
        finally { gate.Release(); }
        logger.LogInformation("Connected container {Container} ({Id}) to {Network} as {Interface}",
            record.Name, id[..12], network.Name, endpoint.Interface);
        events.Publish(EngineEvents.NetworkConnected(network.Id, network.Name, id));
        return await GetAsync(id, ct);
    }

    private async Task ConnectLockedAsync(StateDb db, Container record, Networks.Network network, Endpoint endpoint)
    {
        // 1. Intent: the endpoint is recorded before its lease and veth, so nothing made is unowned.
        var connecting = record with { Endpoints = [.. record.Endpoints, endpoint] };
        await db.UpdateContainerAsync(record, connecting, CancellationToken.None);
        CrashPoint.Hit("container-connect:recorded");
        using var scope = new RollbackScope(logger, $"connect container {record.Name} to network {network.Name}");
        scope.OnRollback($"endpoint record of {record.Name} on {network.Name}", () =>
        {
            using var undo = state.Create();
            undo.UpdateContainer(connecting, record);
        });
        // 2. Lease and veth.
        IPAddress address;
        try { address = await resources.AllocateAddressAsync(network.Id, record.Id, endpoint.StaticIp); }
        catch (EngineException e) when (e.Kind == ErrorKind.NotFound)
        {
            throw EngineException.NotFound($"network '{network.Name}' was removed while container '{record.Name}' was being connected to it");
        }
        scope.OnRollback($"address {address}", () => resources.ReleaseAddress(network.Id, address));
        var paths = resources.Paths(record.Id);
        var plan = EndpointPlanFor(record.Id, network, address, paths) with { InterfaceIndex = endpoint.InterfaceIndex, DefaultRoute = false };
        CrashPoint.Hit("container-connect:leased");
        resources.SetupEndpoint(plan, scope);
        CrashPoint.Hit("container-connect:network");
        // 3. Done.
        var done = record with { Endpoints = [.. record.Endpoints, endpoint with { Ip = address, Mac = MacText(plan), Phase = EndpointPhase.Attached }] };
        await db.UpdateContainerAsync(connecting, done, CancellationToken.None);
        scope.Complete();
    }

    /// <summary>Disconnects the container from the network: its interface, lease and record go. When the network was
    /// the primary one, the next endpoint becomes primary: the default route and published ports move to it. The last
    /// network of a container cannot be disconnected (MyDocker has no network-less containers; Docker allows it).
    /// <paramref name="force"/>: a kernel step that fails does not stop the disconnect (the reconciler removes what is
    /// left: the veth is an orphan once no endpoint claims its interface).</summary>
    /// <exception cref="EngineException">NotFound: no such container or network. Forbidden: not connected, or the
    /// container's only network. Conflict: the container is being created or removed.</exception>
    public async Task DisconnectAsync(string networkIdOrName, string containerIdOrName, bool force, CancellationToken ct = default)
    {
        resources.NoteActivity();
        string id = await IdOfAsync(containerIdOrName, ct);
        Networks.Network network;
        await using (var lookup = state.Create())
            network = await lookup.ResolveNetworkAsync(networkIdOrName, ct);
        var gate = operations.LockOf(id);
        await gate.WaitAsync(ct);
        Container record;
        try
        {
            using var busy = operations.Busy(id);
            await using var db = state.Create();
            record = await ResolveAsync(db, id, ct);
            RequireSettled(record, "disconnect");
            if (record.EndpointOn(network.Id) is not { Phase: EndpointPhase.Attached })
                throw EngineException.Forbidden($"container '{record.Name}' is not connected to network '{network.Name}'; see its networks with: mydocker inspect {record.Name}");
            if (record.Endpoints.Count == 1)
                throw EngineException.Forbidden(
                    $"network '{network.Name}' is the only network of container '{record.Name}'; connect it to another first (mydocker network connect OTHER {record.Name}), or remove the container");
            var marked = record with { Endpoints = record.Endpoints.Select(e => e.NetworkId == network.Id ? e with { Phase = EndpointPhase.Disconnecting } : e).ToList() };
            await db.UpdateContainerAsync(record, marked, CancellationToken.None);
            CrashPoint.Hit("container-disconnect:marked");
            // Names on that network stop answering before its address is released (a Disconnecting endpoint has none).
            await PublishNamesAsync(db, marked, CancellationToken.None);
            var after = await DetachAsync(db, marked, network.Id, force);
            await RewriteEtcFilesAsync(db, after, CancellationToken.None);
            logger.LogInformation("Disconnected container {Container} ({Id}) from {Network}; primary network now {Primary}",
                record.Name, id[..12], network.Name, after.Primary.NetworkId[..12]);
        }
        finally { gate.Release(); }
        events.Publish(EngineEvents.NetworkDisconnected(network.Id, network.Name, id));
    }

    /// <summary>Finishes the removal of the endpoint of <paramref name="record"/> on <paramref name="networkId"/> (marked
    /// Disconnecting, or Connecting when a crashed connect is rolled back): its veth and every lease of the container on
    /// that network go; the default route and published ports move to the new primary if it was the primary; then its
    /// row. Each kernel step tolerates "already gone". Returns the record as written.</summary>
    private async Task<Container> DetachAsync(StateDb db, Container record, string networkId, bool force)
    {
        var endpoint = record.EndpointOn(networkId)!;
        var after = record with { Endpoints = record.Endpoints.Where(e => e.NetworkId != networkId).ToList() };
        bool primaryMoves = record.Primary.NetworkId == networkId;
        bool running = record.Phase == ContainerPhase.Running;
        var t = new Teardown();
        // Published ports lead to the primary address: out of the firewall before that address goes.
        if (primaryMoves && running) t.Step("published ports", () => WithdrawPorts(record));
        // Deleted now, not handed to the link reaper: the container must lose the interface (and its address) when
        // disconnect returns; one veth costs ~17 ms of RTNL (FACTS.md), paid by this request only.
        resources.TeardownEndpoint(record.Id, endpoint.InterfaceIndex, t, halfMade: endpoint.Phase == EndpointPhase.Connecting, deleteNow: true);
        t.Step($"addresses of network {ShortId.Of(networkId)}", () =>
        {
            if (endpoint.Ip is { } ip) resources.ReleaseAddress(networkId, ip);
            resources.ReleaseAddressesOf(networkId, record.Id);
        });
        if (primaryMoves && after.Primary is { Ip: not null } next && await db.FindNetworkAsync(next.NetworkId, CancellationToken.None) is { } nextNetwork)
            t.Step($"default route via {nextNetwork.Gateway}", () => resources.MoveDefaultRoute(EndpointPlanFor(after, next, nextNetwork, resources.Paths(record.Id))));
        CrashPoint.Hit("container-disconnect:kernel-done");
        if (!force) t.ThrowIfFailed($"disconnecting container '{record.Name}' from network {ShortId.Of(networkId)} (the rest is finished by 'mydocker system reconcile'; -f disconnects anyway)");
        else if (t.Failures.Count > 0)
            logger.LogWarning("Disconnecting container {Container} from {Network} left {Count} step(s) undone: {Failures}; the reconciler removes what is left",
                record.Name, networkId[..12], t.Failures.Count, string.Join("; ", t.Failures));
        await db.UpdateContainerAsync(record, after, CancellationToken.None);
        if (primaryMoves && running) PublishPorts(after);
        return after;
    }

    /// <summary>
    /// The reconciler's repair of a connect or disconnect a crash cut short (an endpoint still Connecting or
    /// Disconnecting): either way the attachment is removed whole (a connect is rolled back, a disconnect finished), so
    /// the container has the whole new attachment or none. Takes the container's lock without waiting: when it is held,
    /// the operation is under way in this process. Returns what was done, or null.
    /// </summary>
    internal async Task<string?> FinishInterruptedAttachment(string id)
    {
        var gate = operations.LockOf(id);
        if (!gate.Wait(0)) return null;
        try
        {
            await using var db = state.Create();
            if (await db.FindContainerAsync(id) is not { Phase: ContainerPhase.Created or ContainerPhase.Running or ContainerPhase.Exited } record) return null;
            var done = new List<string>();
            foreach (var endpoint in record.Endpoints.Where(e => e.Phase != EndpointPhase.Attached).ToList())
            {
                string network = (await db.FindNetworkAsync(endpoint.NetworkId, CancellationToken.None))?.Name ?? ShortId.Of(endpoint.NetworkId);
                if (record.Endpoints.Count == 1)
                {
                    // Never the case by construction (connect adds to an attached endpoint, disconnect refuses the last):
                    // a record edited by hand. Keep the container reachable and say so.
                    var kept = record with { Endpoints = [endpoint with { Phase = EndpointPhase.Attached }] };
                    await db.UpdateContainerAsync(record, kept);
                    record = kept;
                    done.Add($"container '{record.Name}': its only endpoint (network '{network}') was marked {endpoint.Phase}; kept it");
                    continue;
                }
                record = await DetachAsync(db, record, endpoint.NetworkId, force: false);
                done.Add(endpoint.Phase == EndpointPhase.Connecting
                    ? $"container '{record.Name}': connect to network '{network}' was cut short; rolled back"
                    : $"container '{record.Name}': disconnect from network '{network}' was cut short; finished");
                events.Publish(EngineEvents.NetworkDisconnected(endpoint.NetworkId, network, id));
            }
            return done.Count == 0 ? null : string.Join("; ", done);
        }
        finally { gate.Release(); }
    }

    /// <summary>The containers with an endpoint on the network (any phase), each with every endpoint it has (network id,
    /// address, aliases): for network inspect and for whoever registers names per network.</summary>
    public async Task<IReadOnlyList<Container>> OnNetworkAsync(string networkId, CancellationToken ct = default)
    {
        await using var db = state.Create();
        return await db.ContainersOnNetworkAsync(networkId, ct);
    }

    /// <summary>The `--ip` asked for: an IPv4 address inside the network's subnet (IPAM checks the rest: not the gateway,
    /// network or broadcast address, not taken).</summary>
    private static IPAddress? ParseIp(string? ip, Networks.Network network)
    {
        if (string.IsNullOrEmpty(ip)) return null;
        // IPv4.TryParse, not IPAddress.TryParse: the latter takes inet_aton's short forms ("10.1" is 10.0.0.1).
        if (!IPv4.TryParse(ip, out uint value, out _))
            throw EngineException.Invalid($"--ip '{ip}' is not an IPv4 address; give one of network '{network.Name}' ({network.Subnet}), such as {IPv4.ToAddress(network.Subnet.Network + 10)}");
        var address = IPv4.ToAddress(value);
        if (!network.Subnet.Contains(value))
            throw EngineException.Invalid($"--ip {address} is outside network '{network.Name}' ({network.Subnet}); give an address inside it or leave --ip out");
        return address;
    }

    /// <summary>A create or rm under way owns the container's endpoints: connect and disconnect wait for it to finish.</summary>
    private static void RequireSettled(Container record, string verb)
    {
        if (record.Phase is ContainerPhase.Creating or ContainerPhase.Removing)
            throw EngineException.Conflict(
                $"container '{record.Name}' is being {(record.Phase == ContainerPhase.Creating ? "created" : "removed")}; {verb} it once that is done");
    }
}
