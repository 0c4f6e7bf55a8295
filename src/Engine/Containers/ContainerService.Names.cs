using MyDocker.Engine.Containers.Dns;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Publishes what a running container answers to now (its attached endpoints'), or withdraws its names when
    /// it has none left (only the default network). Called with a record the database already holds, so a whole-table
    /// sync read meanwhile agrees (see <see cref="INameRegistry"/>). A stopped container has nothing to publish.</summary>
    private async Task PublishNamesAsync(StateDb db, Container record, CancellationToken ct)
    {
        if (record.Phase != ContainerPhase.Running) return;
        if (ContainerNames.Of(record, await NetworksOfAsync(db, record, ct)) is { } names) await resources.PublishNamesAsync(names, ct);
        else await resources.WithdrawNamesAsync(record.Id, ct);
    }

    /// <summary>Rewrites /etc/hosts and /etc/resolv.conf after the container's networks changed (one hosts line per
    /// address; the resolver as name server once a user-defined network is among them), in place, as runc bind-mounts them.</summary>
    private async Task RewriteEtcFilesAsync(StateDb db, Container record, CancellationToken ct)
    {
        var networks = await NetworksOfAsync(db, record, ct);
        var endpoints = record.Endpoints
            .Where(e => e.Phase == EndpointPhase.Attached && e.Ip is not null && networks.ContainsKey(e.NetworkId))
            .Select(e => new EtcEndpoint(e.Ip!, networks[e.NetworkId].Gateway, ContainerNames.IsDefault(networks[e.NetworkId])))
            .ToList();
        resources.Paths(record.Id).WriteEtcFiles(EtcFiles.For(record.Spec, record.Spec.Hostname ?? record.Id[..12], endpoints,
            EtcFiles.ReadHostResolvConf(resources.Options)));
    }

    private static async Task<Dictionary<string, Network>> NetworksOfAsync(StateDb db, Container record, CancellationToken ct)
    {
        var networks = new Dictionary<string, Network>();
        foreach (var e in record.Endpoints)
            if (await db.FindNetworkAsync(e.NetworkId, ct) is { } n) networks[n.Id] = n;
        return networks;
    }
}
