using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.State;

/// <summary>The one mapping between <see cref="Container"/> and its stored rows (<see cref="ContainerEntity"/>: the spec as
/// JSON; <see cref="ContainerEndpointEntity"/>: one row per network, addresses as text), and the queries and changes the
/// engine makes to those tables. Nothing outside State/ sees the rows.</summary>
public static class ContainerStore
{
    internal static ContainerEntity ToEntity(Container c) => new()
    {
        Id = c.Id, Name = c.Name, Image = c.Image, ImageId = c.ImageId, SpecJson = JsonSerializer.Serialize(c.Spec),
        Phase = c.Phase, Created = c.Created, StartedAt = c.StartedAt, FinishedAt = c.FinishedAt, Pid = c.Pid,
        MonitorPid = c.MonitorPid, ExitCode = c.ExitCode, OomKilled = c.OomKilled, Error = c.Error, AutoRemove = c.AutoRemove,
        RestartCount = c.RestartCount,
    };

    internal static List<ContainerEndpointEntity> ToEndpointEntities(Container c) =>
        c.Endpoints.Select((e, position) => new ContainerEndpointEntity
        {
            ContainerId = c.Id, NetworkId = e.NetworkId, Position = position, InterfaceIndex = e.InterfaceIndex,
            IpAddress = e.Ip?.ToString(), MacAddress = e.Mac, AliasesJson = JsonSerializer.Serialize(e.Aliases),
            StaticIp = e.StaticIp?.ToString(), Phase = e.Phase,
        }).ToList();

    /// <summary>Throws <see cref="InvalidDataException"/> naming the container and the column when a stored value does not
    /// parse (a database edited by hand, or damaged).</summary>
    internal static Container ToContainer(ContainerEntity r, IEnumerable<ContainerEndpointEntity> endpoints)
    {
        string what = $"container '{r.Name}' ({ShortId.Of(r.Id)}) in the Containers table";
        InvalidDataException Bad(string column, string? value, string reason) =>
            new($"{what} has a malformed {column} '{value}': {reason}; the engine cannot use this container until that row of the state database (<data-root>/mydocker.db) is repaired or restored from a backup");
        ContainerSpec spec;
        try { spec = JsonSerializer.Deserialize<ContainerSpec>(r.SpecJson) ?? new ContainerSpec(); }
        catch (JsonException e) { throw Bad("spec", r.SpecJson, e.Message); }
        IPAddress? Address(string column, string? text) => text is null ? null
            : IPv4.TryParse(text, out var address, out var error) ? IPv4.ToAddress(address) : throw Bad(column, text, error);
        List<string> Aliases(string json)
        {
            try { return JsonSerializer.Deserialize<List<string>>(json) ?? []; }
            catch (JsonException e) { throw Bad("aliases", json, e.Message); }
        }
        var list = endpoints.OrderBy(e => e.Position).Select(e => new Endpoint(e.NetworkId, Address("IP address", e.IpAddress), e.MacAddress)
        {
            InterfaceIndex = e.InterfaceIndex, Aliases = Aliases(e.AliasesJson), StaticIp = Address("static IP", e.StaticIp), Phase = e.Phase,
        }).ToList();
        if (list.Count == 0) throw Bad("network list", "", "it has no row in the ContainerEndpoints table");
        return new Container(r.Id, r.Name, r.Image, r.ImageId, spec, list, r.Phase, r.Created)
        {
            StartedAt = r.StartedAt, FinishedAt = r.FinishedAt, Pid = r.Pid, MonitorPid = r.MonitorPid, ExitCode = r.ExitCode,
            OomKilled = r.OomKilled, Error = r.Error, AutoRemove = r.AutoRemove, RestartCount = r.RestartCount,
        };
    }

    /// <summary>A row with one endpoint on <paramref name="networkId"/> and no address (tests build records this way).</summary>
    internal static Container ToContainer(ContainerEntity r, string networkId) =>
        ToContainer(r, [new ContainerEndpointEntity { ContainerId = r.Id, NetworkId = networkId }]);

    /// <summary>The rows as containers, with their endpoints read in one query (<paramref name="all"/>: every endpoint
    /// row, cheaper than a list of ids when every container is wanted).</summary>
    private static async Task<List<Container>> WithEndpointsAsync(StateDb db, List<ContainerEntity> rows, bool all, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToList();
        var query = db.ContainerEndpoints.AsNoTracking();
        if (!all) query = query.Where(e => ids.Contains(e.ContainerId));
        var byContainer = (await query.ToListAsync(ct)).ToLookup(e => e.ContainerId);
        return rows.Select(r => ToContainer(r, byContainer[r.Id])).ToList();
    }

    private static async Task<Container?> WithEndpointsAsync(StateDb db, ContainerEntity? row, CancellationToken ct) =>
        row is null ? null : ToContainer(row, await db.ContainerEndpoints.AsNoTracking().Where(e => e.ContainerId == row.Id).ToListAsync(ct));

    /// <summary>Every container, whatever its phase (the reconciler).</summary>
    public static async Task<List<Container>> AllContainersAsync(this StateDb db, CancellationToken ct = default) =>
        await WithEndpointsAsync(db, await db.Containers.AsNoTracking().ToListAsync(ct), all: true, ct);

    /// <summary>The containers a user sees (not half-made), only the running ones unless <paramref name="all"/>.</summary>
    public static async Task<List<Container>> VisibleContainersAsync(this StateDb db, bool all, CancellationToken ct)
    {
        var query = db.Containers.AsNoTracking().Where(c => c.Phase != ContainerPhase.Creating);
        if (!all) query = query.Where(c => c.Phase == ContainerPhase.Running);
        return await WithEndpointsAsync(db, await query.ToListAsync(ct), all, ct);
    }

    public static async Task<Container?> FindContainerAsync(this StateDb db, string id, CancellationToken ct = default) =>
        await WithEndpointsAsync(db, await db.Containers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct), ct);

    public static Container? FindContainer(this StateDb db, string id) =>
        db.Containers.AsNoTracking().FirstOrDefault(c => c.Id == id) is { } r
            ? ToContainer(r, db.ContainerEndpoints.AsNoTracking().Where(e => e.ContainerId == id).ToList())
            : null;

    /// <summary>The containers with an endpoint on the network, in any phase, with all their endpoints.</summary>
    public static async Task<List<Container>> ContainersOnNetworkAsync(this StateDb db, string networkId, CancellationToken ct = default)
    {
        var ids = await db.ContainerEndpoints.AsNoTracking().Where(e => e.NetworkId == networkId).Select(e => e.ContainerId).ToListAsync(ct);
        return await db.ContainersWithIdsAsync(ids, ct);
    }

    /// <summary>Docker's lookup order (<see cref="Lookup"/>) among the containers a user sees; a leading '/' (Docker's
    /// name form) is ignored.</summary>
    public static async Task<Container> ResolveContainerAsync(this StateDb db, string idOrName, CancellationToken ct) =>
        (await WithEndpointsAsync(db, await Lookup.ResolveAsync(
            db.Containers.AsNoTracking().Where(c => c.Phase != ContainerPhase.Creating), idOrName.TrimStart('/'), "container", "mydocker ps -a", ct), ct))!;

    public static async Task<Container?> ContainerNamedAsync(this StateDb db, string name, CancellationToken ct) =>
        await WithEndpointsAsync(db, await db.Containers.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ct), ct);

    public static Task<bool> ContainerNameTakenAsync(this StateDb db, string name, CancellationToken ct) =>
        db.Containers.AnyAsync(c => c.Name == name, ct);

    public static async Task<List<Container>> ContainersWithIdsAsync(this StateDb db, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        await WithEndpointsAsync(db, await db.Containers.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct), all: false, ct);

    public static Task<List<string>> ContainerIdsAsync(this StateDb db, CancellationToken ct = default) =>
        db.Containers.AsNoTracking().Select(c => c.Id).ToListAsync(ct);

    public static bool ContainerExists(this StateDb db, string id) => db.Containers.AsNoTracking().Any(c => c.Id == id);

    public static bool IsContainerRunning(this StateDb db, string id) =>
        db.Containers.AsNoTracking().Any(c => c.Id == id && c.Phase == ContainerPhase.Running);

    public static async Task AddContainerAsync(this StateDb db, Container c, CancellationToken ct)
    {
        var entries = new List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> { db.Containers.Add(ToEntity(c)) };
        entries.AddRange(ToEndpointEntities(c).Select(e => (Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry)db.ContainerEndpoints.Add(e)));
        try { await db.SaveChangesAsync(ct); }
        finally { Detach(entries); }
    }

    /// <summary>Writes what changed from <paramref name="before"/> (as read) to <paramref name="after"/>: only those
    /// columns and endpoint rows, in one transaction, as a tracked row's save would.</summary>
    public static async Task UpdateContainerAsync(this StateDb db, Container before, Container after, CancellationToken ct = default)
    {
        var entries = Track(db, before, after);
        try { await db.SaveChangesAsync(ct); }
        finally { Detach(entries); }
    }

    public static void UpdateContainer(this StateDb db, Container before, Container after)
    {
        var entries = Track(db, before, after);
        try { db.SaveChanges(); }
        finally { Detach(entries); }
    }

    /// <summary>The changes from <paramref name="before"/> to <paramref name="after"/> as tracked entries: the container's
    /// columns, and per network an endpoint row added, changed or deleted.</summary>
    private static List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> Track(StateDb db, Container before, Container after)
    {
        var container = db.Containers.Attach(ToEntity(before));
        container.CurrentValues.SetValues(ToEntity(after));
        var entries = new List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> { container };
        var old = ToEndpointEntities(before).ToDictionary(e => e.NetworkId);
        var now = ToEndpointEntities(after).ToDictionary(e => e.NetworkId);
        foreach (var (network, row) in old)
        {
            var entry = db.ContainerEndpoints.Attach(row);
            if (now.TryGetValue(network, out var changed)) entry.CurrentValues.SetValues(changed);
            else entry.State = EntityState.Deleted;
            entries.Add(entry);
        }
        foreach (var (network, row) in now)
            if (!old.ContainsKey(network)) entries.Add(db.ContainerEndpoints.Add(row));
        return entries;
    }

    private static void Detach(List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> entries)
    {
        foreach (var entry in entries) entry.State = EntityState.Detached;
    }

    public static async Task DeleteContainerAsync(this StateDb db, string id, CancellationToken ct = default)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.ContainerEndpoints.Where(e => e.ContainerId == id).ExecuteDeleteAsync(ct);
        await db.Containers.Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
    }

    public static void DeleteContainer(this StateDb db, string id)
    {
        using var tx = db.Database.BeginTransaction();
        db.ContainerEndpoints.Where(e => e.ContainerId == id).ExecuteDelete();
        db.Containers.Where(c => c.Id == id).ExecuteDelete();
        tx.Commit();
    }
}
