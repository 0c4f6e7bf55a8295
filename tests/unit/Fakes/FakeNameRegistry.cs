using MyDocker.Engine.Networks.Dns;

namespace MyDocker.UnitTests.Fakes;

/// <summary>The resolver's table in memory, shared with <see cref="FakeContainerResources.Names"/> (which publishes and
/// withdraws one container's names); <see cref="SyncAsync"/> replaces it with the database's table, as the real
/// resolver is given it.</summary>
public sealed class FakeNameRegistry(SortedDictionary<string, ContainerNames> table, ResolverTable database) : INameRegistry
{
    public Task PutAsync(ContainerNames names, CancellationToken ct)
    {
        table[names.ContainerId] = names;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string containerId, CancellationToken ct)
    {
        table.Remove(containerId);
        return Task.CompletedTask;
    }

    public async Task<string?> SyncAsync(CancellationToken ct)
    {
        var all = await database.ReadAsync(ct);
        table.Clear();
        foreach (var n in all) table[n.ContainerId] = n;
        return null;
    }
}
