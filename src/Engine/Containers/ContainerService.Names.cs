using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>Publishes a running container's names (none on the default network only). The record must already be
    /// stored as Running: a whole-table sync read meanwhile then holds it too (see <see cref="INameRegistry"/>).</summary>
    private async Task PublishNamesAsync(StateDb db, Container record, CancellationToken ct)
    {
        var networks = new Dictionary<string, Network>();
        if (await db.FindNetworkAsync(record.Endpoint.NetworkId, ct) is { } n) networks[n.Id] = n;
        if (ContainerNames.Of(record, networks) is { } names) await resources.PublishNamesAsync(names, ct);
    }
}
