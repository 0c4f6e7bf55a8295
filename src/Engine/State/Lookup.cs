using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.State;

/// <summary>A stored object a user names by id or by name.</summary>
internal interface INamedEntity
{
    string Id { get; }
    string Name { get; }
}

/// <summary>Docker's lookup order for a user's reference to a container or a network: full id, exact name, then a
/// unique id prefix.</summary>
internal static class Lookup
{
    /// <param name="visible">The objects a user may name (not those half-made).</param>
    /// <param name="kind">"container" or "network", for the messages.</param>
    /// <param name="listCommand">Where the user finds the right name: "mydocker ps -a".</param>
    public static async Task<T> ResolveAsync<T>(IQueryable<T> visible, string idOrName, string kind, string listCommand, CancellationToken ct)
        where T : class, INamedEntity
    {
        if (string.IsNullOrWhiteSpace(idOrName))
            throw EngineException.Invalid($"no {kind} given; name a {kind} or give its id (see '{listCommand}')");
        var hit = await visible.FirstOrDefaultAsync(r => r.Id == idOrName, ct)
                  ?? await visible.FirstOrDefaultAsync(r => r.Name == idOrName, ct);
        if (hit is not null) return hit;
        string prefix = idOrName.ToLowerInvariant();
        var byPrefix = await visible.Where(r => r.Id.StartsWith(prefix)).Take(2).ToListAsync(ct);
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            0 => throw EngineException.NotFound($"{kind} '{NameRules.Printable(idOrName)}' not found; list {kind}s with '{listCommand}'"),
            _ => throw EngineException.Invalid($"{kind} id prefix '{idOrName}' is ambiguous: it matches several {kind}s; give more of the id"),
        };
    }
}
