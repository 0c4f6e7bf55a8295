using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.State;

/// <summary>The one mapping between <see cref="Network"/> and its stored row (<see cref="NetworkEntity"/>: subnet, gateway
/// and range as text, options and labels as JSON, as the Networks table has always held them), and the queries the
/// engine makes of that table. Nothing outside State/ sees the row.</summary>
public static class NetworkStore
{
    internal static NetworkEntity ToEntity(Network n) => new()
    {
        Id = n.Id, Name = n.Name, Driver = n.Driver, Subnet = n.Subnet.ToString(), Gateway = n.Gateway.ToString(),
        IpRange = n.IpRange?.ToString(), Bridge = n.Bridge, Internal = n.Internal, Created = n.Created, Phase = n.Phase,
        OptionsJson = JsonSerializer.Serialize(n.Options), LabelsJson = JsonSerializer.Serialize(n.Labels),
    };

    /// <summary>Throws <see cref="InvalidDataException"/> naming the network and the column when a stored value does not
    /// parse (a database edited by hand, or damaged).</summary>
    internal static Network ToNetwork(NetworkEntity r)
    {
        string what = $"network '{r.Name}' ({ShortId.Of(r.Id)}) in the Networks table";
        InvalidDataException Bad(string column, string? value, string reason) =>
            new($"{what} has a malformed {column} '{value}': {reason}; the engine cannot use this network until that row of the state database (<data-root>/mydocker.db) is repaired or restored from a backup");
        IPv4Subnet Subnet(string column, string value) =>
            IPv4Subnet.TryParse(value, out var s, out _, out var error) ? s : throw Bad(column, value, error);
        var gateway = IPv4.TryParse(r.Gateway, out var g, out var gatewayError) ? IPv4.ToAddress(g) : throw Bad("gateway", r.Gateway, gatewayError);
        if (InterfaceName.Problem(r.Bridge) is { } bridgeProblem) throw Bad("bridge", r.Bridge, bridgeProblem);
        return new Network(
            r.Id, r.Name, r.Driver, Subnet("subnet", r.Subnet), gateway, r.IpRange is null ? null : Subnet("ip range", r.IpRange),
            r.Bridge, r.Internal, r.Phase, r.Created, Map("options", r.OptionsJson), Map("labels", r.LabelsJson));

        IReadOnlyDictionary<string, string> Map(string column, string json)
        {
            try { return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []; }
            catch (JsonException e) { throw Bad(column, json, e.Message); }
        }
    }


    /// <summary>Every network, whatever its phase (the reconciler and create's checks).</summary>
    public static async Task<List<Network>> AllNetworksAsync(this StateDb db, CancellationToken ct) =>
        (await db.Networks.AsNoTracking().ToListAsync(ct)).Select(ToNetwork).ToList();

    /// <summary>The networks a user sees: fully created and not being removed.</summary>
    public static async Task<List<Network>> ReadyNetworksAsync(this StateDb db, CancellationToken ct) =>
        (await db.Networks.AsNoTracking().Where(n => n.Phase == NetworkPhase.Ready).ToListAsync(ct)).Select(ToNetwork).ToList();

    public static async Task<Network?> FindNetworkAsync(this StateDb db, string id, CancellationToken ct) =>
        await db.Networks.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, ct) is { } r ? ToNetwork(r) : null;

    /// <summary>Docker's lookup order (<see cref="Lookup"/>) among the Ready networks.</summary>
    public static async Task<Network> ResolveNetworkAsync(this StateDb db, string idOrName, CancellationToken ct) =>
        ToNetwork(await Lookup.ResolveAsync(db.Networks.AsNoTracking().Where(n => n.Phase == NetworkPhase.Ready), idOrName, "network", "mydocker network ls", ct));

    public static async Task<bool> IsNetworkReadyAsync(this StateDb db, string id, CancellationToken ct) =>
        await db.Networks.AsNoTracking().AnyAsync(n => n.Id == id && n.Phase == NetworkPhase.Ready, ct);

    public static async Task AddNetworkAsync(this StateDb db, Network n, CancellationToken ct)
    {
        db.Networks.Add(ToEntity(n));
        await db.SaveChangesAsync(ct);
    }

    public static async Task SetNetworkPhaseAsync(this StateDb db, string id, NetworkPhase phase, CancellationToken ct) =>
        await db.Networks.Where(n => n.Id == id).ExecuteUpdateAsync(s => s.SetProperty(n => n.Phase, phase), ct);

    public static async Task DeleteNetworkAsync(this StateDb db, string id, CancellationToken ct) =>
        await db.Networks.Where(n => n.Id == id).ExecuteDeleteAsync(ct);

    public static void DeleteNetwork(this StateDb db, string id) => db.Networks.Where(n => n.Id == id).ExecuteDelete();
}
