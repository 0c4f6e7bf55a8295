using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading.Channels;
using MyDocker.Engine;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Images;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;
using MyDocker.Web.Dashboard.Containers;

namespace MyDocker.Web.Dashboard;

/// <summary>A network as the dashboard lists it. Immutable.</summary>
public sealed record NetworkRow
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Subnet { get; init; }
    public required string Gateway { get; init; }
    public string? IpRange { get; init; }
    public required string Bridge { get; init; }
    public bool Internal { get; init; }
    public int Containers { get; init; }
    public long Used { get; init; }
    public long Free { get; init; }
    public IReadOnlyList<LeaseRow> Leases { get; init; } = [];
}

/// <summary>An address leased to an endpoint: the owning container's id and, when it still exists, its name and the
/// MAC its eth0 was given.</summary>
public sealed record LeaseRow(string Owner, string Address, DateTimeOffset Since)
{
    public string? OwnerName { get; init; }
    public string? Mac { get; init; }
}

/// <summary>A network's kernel state (<see cref="NetworkPlumbing"/>) and the names of the containers whose veths it
/// lists.</summary>
public sealed record PlumbingRow(NetworkPlumbing Kernel, IReadOnlyDictionary<string, string> ContainerNames);

/// <summary>
/// Everything the dashboard's pages ask of the engine, in one seam so bUnit tests drive the pages with a fake. Every
/// method may be called from any circuit at once. Errors are <see cref="Engine.EngineException"/>s with messages meant
/// for people.
/// </summary>
public interface IDashboardEngine
{
    Task<IReadOnlyList<NetworkRow>> ListNetworksAsync(CancellationToken ct = default);
    /// <summary>One network by id or name, its leases with their containers' names; throws NotFound.</summary>
    Task<NetworkRow> GetNetworkAsync(string idOrName, CancellationToken ct = default);
    /// <summary>What the kernel holds for the network now; throws NotFound.</summary>
    Task<PlumbingRow> GetPlumbingAsync(string idOrName, CancellationToken ct = default);
    /// <summary>Runs create's checks without creating; throws what create would throw.</summary>
    Task ValidateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default);
    Task<string> SuggestSubnetAsync(CancellationToken ct = default);
    Task<NetworkRow> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default);
    Task RemoveNetworkAsync(string id, CancellationToken ct = default);
    /// <summary>Stored events from <paramref name="sinceNano"/> (null: none), then live ones until the subscription is
    /// disposed. The history and the live part neither overlap nor leave a gap.</summary>
    IEventSubscription SubscribeEvents(long? sinceNano);

    // Containers. Actions return when the engine has done them; the engine's events (start, die, restart, destroy) say so
    // to every page, and the pages wait for those rather than for the call (a change made elsewhere looks the same).
    /// <summary>Every container, newest first (Docker's <c>ps -a</c>).</summary>
    Task<IReadOnlyList<ContainerRow>> ListContainersAsync(CancellationToken ct = default);
    /// <summary>One container by id, name or unique id prefix; throws NotFound.</summary>
    Task<ContainerRow> GetContainerAsync(string idOrName, CancellationToken ct = default);
    /// <summary>False if it was already running (no event follows). A process that cannot start throws, in plain words.</summary>
    Task<bool> StartContainerAsync(string id, CancellationToken ct = default);
    /// <summary>SIGTERM, SIGKILL after 10 s; false if it was not running (no event follows).</summary>
    Task<bool> StopContainerAsync(string id, CancellationToken ct = default);
    Task RestartContainerAsync(string id, CancellationToken ct = default);
    /// <summary>Removes the container and everything it owns; a running one only with <paramref name="force"/> (killed).</summary>
    Task RemoveContainerAsync(string id, bool force, CancellationToken ct = default);
    /// <summary>Creates without starting (transactional: a failure leaves nothing). See <see cref="ContainerRunner"/>.</summary>
    Task<ContainerRow> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default);
    /// <summary>Local images, for the run wizard's picker.</summary>
    Task<IReadOnlyList<ImageRow>> ListImagesAsync(CancellationToken ct = default);

    // Published ports, for the run wizard's port rows as the user types. Answers are of now: create checks again.
    /// <summary>The host's own IPv4 addresses a port can be published on, besides 127.0.0.1 and 0.0.0.0 (the addresses of
    /// the engine's bridges are left out: they are the containers' gateways, not the host's face).</summary>
    Task<IReadOnlyList<string>> ListHostAddressesAsync(CancellationToken ct = default);
    /// <summary>Whether the engine could take a host port of <paramref name="first"/>-<paramref name="last"/> (one port
    /// when they are equal) on <paramref name="hostIp"/> now: null when it could, else who holds it (a container or a host
    /// process, named) and the next free port after the range.</summary>
    Task<HostPortConflict?> CheckHostPortAsync(string protocol, string hostIp, int first, int last, CancellationToken ct = default);
}

/// <summary>Why a host port cannot be published, in the engine's words, and the next port that could be (null: none near).</summary>
public sealed record HostPortConflict(string Why, int? NextFree);

/// <summary>History first, then live events; dispose to stop.</summary>
public interface IEventSubscription : IDisposable
{
    IReadOnlyList<EventRow> History { get; }
    ChannelReader<EventRow> Live { get; }
}

/// <summary>The real engine behind the dashboard: NetworkService, ContainerService, ImageService and EventHub.</summary>
public sealed class EngineDashboardClient(
    NetworkService networks, ContainerService containers, ImageService images, Engine.Events.EventHub events, StateDbFactory state,
    PortReservations ports) : IDashboardEngine
{
    public async Task<IReadOnlyList<ContainerRow>> ListContainersAsync(CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        return (await containers.ListAsync(all: true, ct)).Select(v => ToRow(v, now)).ToList();
    }

    public async Task<ContainerRow> GetContainerAsync(string idOrName, CancellationToken ct = default) =>
        ToRow(await containers.GetAsync(idOrName, ct), DateTimeOffset.UtcNow);

    public async Task<bool> StartContainerAsync(string id, CancellationToken ct = default)
    {
        try { return await containers.StartAsync(id, ct); }
        // The runtime's reason is already plain words ("exec: \"nope\": executable file not found in $PATH").
        catch (Engine.Containers.Runtime.ContainerStartException e) { throw new EngineException(e.Kind, e.Reason, e); }
    }

    public Task<bool> StopContainerAsync(string id, CancellationToken ct = default) => containers.StopAsync(id, null, ct);

    public Task RestartContainerAsync(string id, CancellationToken ct = default) => containers.RestartAsync(id, null, ct);

    public Task RemoveContainerAsync(string id, bool force, CancellationToken ct = default) => containers.RemoveAsync(id, force, ct);

    public async Task<ContainerRow> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default) =>
        ToRow(await containers.CreateAsync(spec, ct), DateTimeOffset.UtcNow);


    public async Task<IReadOnlyList<ImageRow>> ListImagesAsync(CancellationToken ct = default) =>
        (await images.ListAsync(ct)).Select(ToRow).ToList();

    public async Task<IReadOnlyList<string>> ListHostAddressesAsync(CancellationToken ct = default)
    {
        var bridges = (await networks.ListAsync(ct)).Select(n => n.Record.Bridge).ToHashSet(StringComparer.Ordinal);
        // The daemon's own namespace: where published ports are programmed and held.
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback && !bridges.Contains(i.Name))
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address).Where(a => a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public Task<HostPortConflict?> CheckHostPortAsync(string protocol, string hostIp, int first, int last, CancellationToken ct = default)
    {
        if (first == last)
            return Task.FromResult(ports.WhyTaken(protocol, hostIp, first) is { } why ? new HostPortConflict(why, ports.NextFree(protocol, hostIp, first + 1)) : null);
        // A range: the engine takes its first free port.
        int? free = ports.NextFree(protocol, hostIp, first);
        if (free <= last) return Task.FromResult<HostPortConflict?>(null);
        // NextFree found none in the range: what it found is already the next free port after it.
        return Task.FromResult<HostPortConflict?>(new HostPortConflict(
            $"no port of {first}-{last}/{protocol} on {hostIp} is free", free ?? ports.NextFree(protocol, hostIp, last + 1)));
    }

    public static ContainerRow ToRow(ContainerView v, DateTimeOffset now)
    {
        var r = v.Record;
        return new ContainerRow
        {
            Id = r.Id, Name = r.Name, Image = r.Image, State = Api.ContainerMapping.StateWord(r.Phase), Status = Api.ContainerMapping.Status(r, now),
            Command = ShellWords.Join(v.Command), Created = r.Created, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt,
            ExitCode = r.Phase == ContainerPhase.Running ? null : r.ExitCode, Error = r.Error, OomKilled = r.OomKilled,
            Networks = r.IpAddress is { } ip && v.NetworkName.Length > 0 ? [new EndpointRow(v.NetworkName, ip, r.MacAddress)] : [],
            Ports = v.Spec.Ports.Select(p => new PortRow(p.Protocol, p.HostIp, p.HostPort, p.ContainerPort)).ToList(),
            MemoryBytes = v.Spec.MemoryBytes, NanoCpus = v.Spec.NanoCpus, Env = v.Spec.Env,
        };
    }

    public static ImageRow ToRow(ImageView i) => new(
        i.Id, i.RepoTags.FirstOrDefault() ?? i.Id, i.RepoTags, ShellWords.Join(ContainerPlanner.Command(new ContainerSpec(), i.Config)));

    public async Task<NetworkRow> GetNetworkAsync(string idOrName, CancellationToken ct = default)
    {
        var row = ToRow(await networks.GetAsync(idOrName, ct));
        var owners = await ContainersAsync(row.Leases.Select(l => l.Owner), ct);
        return row with
        {
            Leases = row.Leases.Select(l => owners.TryGetValue(l.Owner, out var c) ? l with { OwnerName = c.Name, Mac = c.MacAddress } : l).ToList(),
        };
    }

    public async Task<PlumbingRow> GetPlumbingAsync(string idOrName, CancellationToken ct = default)
    {
        var kernel = await networks.GetPlumbingAsync(idOrName, ct);
        var owners = await ContainersAsync(kernel.Ports.Select(p => p.ContainerId).OfType<string>(), ct);
        return new PlumbingRow(kernel, owners.ToDictionary(o => o.Key, o => o.Value.Name));
    }

    private async Task<Dictionary<string, ContainerRecord>> ContainersAsync(IEnumerable<string> ids, CancellationToken ct)
    {
        var wanted = ids.ToHashSet();
        if (wanted.Count == 0) return [];
        await using var db = state.Create();
        return await db.Containers.AsNoTracking().Where(c => wanted.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
    }

    public async Task<IReadOnlyList<NetworkRow>> ListNetworksAsync(CancellationToken ct = default) =>
        (await networks.ListAsync(ct)).Select(ToRow).ToList();

    public Task ValidateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default) => networks.ValidateAsync(spec, ct);

    public async Task<string> SuggestSubnetAsync(CancellationToken ct = default) => (await networks.SuggestSubnetAsync(ct)).ToString();

    public async Task<NetworkRow> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default) =>
        ToRow(await networks.CreateAsync(spec, ct));

    public Task RemoveNetworkAsync(string id, CancellationToken ct = default) => networks.RemoveAsync(id, ct);

    public IEventSubscription SubscribeEvents(long? sinceNano) => new HubSubscription(events.Subscribe(sinceNano));

    public static NetworkRow ToRow(NetworkView v) => new()
    {
        Id = v.Record.Id, Name = v.Record.Name, Subnet = v.Record.Subnet, Gateway = v.Record.Gateway,
        IpRange = v.Record.IpRange, Bridge = v.Record.Bridge, Internal = v.Record.Internal,
        // The gateway is not leased: every lease is an endpoint, and an endpoint is a container.
        Containers = v.Leases.Select(l => l.OwnerId).Distinct().Count(),
        Used = v.Usage.Used, Free = v.Usage.Free,
        Leases = v.Leases.OrderBy(l => l.Address).Select(l => new LeaseRow(l.OwnerId, IPv4.ToAddress(l.Address).ToString(), l.Since)).ToList(),
    };

    private sealed class HubSubscription(Engine.Events.EventHub.Subscription inner) : IEventSubscription
    {
        public IReadOnlyList<EventRow> History => inner.History;
        public ChannelReader<EventRow> Live => inner.Live;
        public void Dispose() => inner.Dispose();
    }
}
