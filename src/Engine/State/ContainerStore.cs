using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.State;

/// <summary>The one mapping between <see cref="Container"/> and its stored row (<see cref="ContainerEntity"/>: the spec as
/// JSON, the endpoint's address as text, as the Containers table has always held them), and the queries and changes the
/// engine makes to that table. Nothing outside State/ sees the row.</summary>
public static class ContainerStore
{
    internal static ContainerEntity ToEntity(Container c) => new()
    {
        Id = c.Id, Name = c.Name, Image = c.Image, ImageId = c.ImageId, SpecJson = JsonSerializer.Serialize(c.Spec),
        NetworkId = c.Endpoint.NetworkId, IpAddress = c.Endpoint.Ip?.ToString(), MacAddress = c.Endpoint.Mac,
        Phase = c.Phase, Created = c.Created, StartedAt = c.StartedAt, FinishedAt = c.FinishedAt, Pid = c.Pid,
        MonitorPid = c.MonitorPid, ExitCode = c.ExitCode, OomKilled = c.OomKilled, Error = c.Error, AutoRemove = c.AutoRemove,
        RestartCount = c.RestartCount,
    };

    /// <summary>Throws <see cref="InvalidDataException"/> naming the container and the column when a stored value does not
    /// parse (a database edited by hand, or damaged).</summary>
    internal static Container ToContainer(ContainerEntity r)
    {
        string what = $"container '{r.Name}' ({ShortId.Of(r.Id)}) in the Containers table";
        InvalidDataException Bad(string column, string? value, string reason) =>
            new($"{what} has a malformed {column} '{value}': {reason}; the engine cannot use this container until that row of the state database (<data-root>/mydocker.db) is repaired or restored from a backup");
        ContainerSpec spec;
        try { spec = JsonSerializer.Deserialize<ContainerSpec>(r.SpecJson) ?? new ContainerSpec(); }
        catch (JsonException e) { throw Bad("spec", r.SpecJson, e.Message); }
        IPAddress? ip = r.IpAddress is null ? null
            : IPv4.TryParse(r.IpAddress, out var address, out var error) ? IPv4.ToAddress(address) : throw Bad("IP address", r.IpAddress, error);
        return new Container(r.Id, r.Name, r.Image, r.ImageId, spec, new Endpoint(r.NetworkId, ip, r.MacAddress), r.Phase, r.Created)
        {
            StartedAt = r.StartedAt, FinishedAt = r.FinishedAt, Pid = r.Pid, MonitorPid = r.MonitorPid, ExitCode = r.ExitCode,
            OomKilled = r.OomKilled, Error = r.Error, AutoRemove = r.AutoRemove, RestartCount = r.RestartCount,
        };
    }

    /// <summary>Every container, whatever its phase (the reconciler).</summary>
    public static async Task<List<Container>> AllContainersAsync(this StateDb db, CancellationToken ct = default) =>
        (await db.Containers.AsNoTracking().ToListAsync(ct)).Select(ToContainer).ToList();

    /// <summary>The containers a user sees (not half-made), only the running ones unless <paramref name="all"/>.</summary>
    public static async Task<List<Container>> VisibleContainersAsync(this StateDb db, bool all, CancellationToken ct)
    {
        var query = db.Containers.AsNoTracking().Where(c => c.Phase != ContainerPhase.Creating);
        if (!all) query = query.Where(c => c.Phase == ContainerPhase.Running);
        return (await query.ToListAsync(ct)).Select(ToContainer).ToList();
    }

    public static async Task<Container?> FindContainerAsync(this StateDb db, string id, CancellationToken ct = default) =>
        await db.Containers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } r ? ToContainer(r) : null;

    public static Container? FindContainer(this StateDb db, string id) =>
        db.Containers.AsNoTracking().FirstOrDefault(c => c.Id == id) is { } r ? ToContainer(r) : null;

    /// <summary>Docker's lookup order (<see cref="Lookup"/>) among the containers a user sees; a leading '/' (Docker's
    /// name form) is ignored.</summary>
    public static async Task<Container> ResolveContainerAsync(this StateDb db, string idOrName, CancellationToken ct) =>
        ToContainer(await Lookup.ResolveAsync(
            db.Containers.AsNoTracking().Where(c => c.Phase != ContainerPhase.Creating), idOrName.TrimStart('/'), "container", "mydocker ps -a", ct));

    public static async Task<Container?> ContainerNamedAsync(this StateDb db, string name, CancellationToken ct) =>
        await db.Containers.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ct) is { } r ? ToContainer(r) : null;

    public static Task<bool> ContainerNameTakenAsync(this StateDb db, string name, CancellationToken ct) =>
        db.Containers.AnyAsync(c => c.Name == name, ct);

    public static async Task<List<Container>> ContainersWithIdsAsync(this StateDb db, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        (await db.Containers.AsNoTracking().Where(c => ids.Contains(c.Id)).ToListAsync(ct)).Select(ToContainer).ToList();

    public static Task<List<string>> ContainerIdsAsync(this StateDb db, CancellationToken ct = default) =>
        db.Containers.AsNoTracking().Select(c => c.Id).ToListAsync(ct);

    public static bool ContainerExists(this StateDb db, string id) => db.Containers.AsNoTracking().Any(c => c.Id == id);

    public static bool IsContainerRunning(this StateDb db, string id) =>
        db.Containers.AsNoTracking().Any(c => c.Id == id && c.Phase == ContainerPhase.Running);

    public static async Task AddContainerAsync(this StateDb db, Container c, CancellationToken ct)
    {
        var entry = db.Containers.Add(ToEntity(c));
        await db.SaveChangesAsync(ct);
        entry.State = EntityState.Detached;
    }

    /// <summary>Writes what changed from <paramref name="before"/> (as read) to <paramref name="after"/>: only those
    /// columns, as a tracked row's save would.</summary>
    public static async Task UpdateContainerAsync(this StateDb db, Container before, Container after, CancellationToken ct = default)
    {
        var entry = db.Containers.Attach(ToEntity(before));
        entry.CurrentValues.SetValues(ToEntity(after));
        try { await db.SaveChangesAsync(ct); }
        finally { entry.State = EntityState.Detached; }
    }

    public static void UpdateContainer(this StateDb db, Container before, Container after)
    {
        var entry = db.Containers.Attach(ToEntity(before));
        entry.CurrentValues.SetValues(ToEntity(after));
        try { db.SaveChanges(); }
        finally { entry.State = EntityState.Detached; }
    }

    public static async Task DeleteContainerAsync(this StateDb db, string id, CancellationToken ct = default) =>
        await db.Containers.Where(c => c.Id == id).ExecuteDeleteAsync(ct);

    public static void DeleteContainer(this StateDb db, string id) => db.Containers.Where(c => c.Id == id).ExecuteDelete();
}
