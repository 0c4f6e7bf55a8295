using MyDocker.Engine.State;

namespace MyDocker.Engine.Networks.Dns;

/// <summary>The names of every running container, as the database holds them: what the resolver is given whole
/// when it (re)starts and at every reconcile.</summary>
public sealed class ResolverTable(StateDbFactory state)
{
    public async Task<IReadOnlyList<ContainerNames>> ReadAsync(CancellationToken ct)
    {
        await using var db = state.Create();
        var networks = (await db.AllNetworksAsync(ct)).Where(n => n.Phase == NetworkPhase.Ready).ToDictionary(n => n.Id);
        return [.. (await db.AllContainersAsync(ct)).Select(c => ContainerNames.Of(c, networks)).OfType<ContainerNames>()];
    }
}
