using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading.Channels;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Images;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Web.Dashboard.Containers;

namespace MyDocker.Web.Dashboard;

/// <summary>The real engine behind the dashboard: NetworkService, ContainerService, ImageService and EventHub.</summary>
public sealed class EngineDashboardClient(
    NetworkService networks, ContainerService containers, ImageService images, Engine.Events.EventHub events,
    PortReservations ports, TimeProvider clock) : IDashboardEngine
{
    public Task<Live.LiveSubscription<ContainerRow>> WatchContainersAsync(CancellationToken ct = default) => Live.RowWatches.ContainersAsync(this, clock, ct);

    public Task<Live.LiveSubscription<NetworkRow>> WatchNetworksAsync(CancellationToken ct = default) => Live.RowWatches.NetworksAsync(this, clock, ct);

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
        var bridges = (await networks.ListAsync(ct)).Select(n => n.Network.Bridge).ToHashSet(StringComparer.Ordinal);
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
        var r = v.Container;
        return new ContainerRow
        {
            Id = r.Id, Name = r.Name, Image = r.Image, State = ContainerStatusText.StateWord(r.Phase), Status = ContainerStatusText.Status(r, now),
            Command = ShellWords.Join(v.Command), Created = r.Created, StartedAt = r.StartedAt, FinishedAt = r.FinishedAt,
            ExitCode = r.Phase == ContainerPhase.Running ? null : r.ExitCode, Error = r.Error, OomKilled = r.OomKilled,
            Networks = r.Endpoints.Where(e => e.Ip is not null && v.NetworkOf(e.NetworkId) is not null)
                .Select(e => new EndpointRow(v.NetworkOf(e.NetworkId)!.Name, e.Ip!.ToString(), e.Mac)).ToList(),
            Ports = v.Spec.Ports.Select(p => new PortRow(p.Protocol, p.HostIp, p.HostPort, p.ContainerPort)).ToList(),
            MemoryBytes = v.Spec.MemoryBytes, NanoCpus = v.Spec.NanoCpus, Env = v.Spec.Env,
        };
    }

    public static ImageRow ToRow(ImageView i) => new(
        i.Id, i.RepoTags.FirstOrDefault() ?? i.Id, i.RepoTags, ShellWords.Join(ContainerPlanner.Command(new ContainerSpec(), i.Config)));

    public async Task<NetworkRow> GetNetworkAsync(string idOrName, CancellationToken ct = default)
    {
        var row = ToRow(await networks.GetAsync(idOrName, ct));
        var owners = await containers.NamesAsync(row.Leases.Select(l => l.Owner), ct);
        return row with
        {
            Leases = row.Leases.Select(l => owners.TryGetValue(l.Owner, out var c) ? l with { OwnerName = c.Name, Mac = c.MacAddress } : l).ToList(),
        };
    }

    public async Task<PlumbingRow> GetPlumbingAsync(string idOrName, CancellationToken ct = default)
    {
        var kernel = await networks.GetPlumbingAsync(idOrName, ct);
        var owners = await containers.NamesAsync(kernel.Ports.Select(p => p.ContainerId).OfType<string>(), ct);
        return new PlumbingRow(kernel, owners.ToDictionary(o => o.Key, o => o.Value.Name));
    }

    public async Task<IReadOnlyList<Networks.NameRow>> ListNamesAsync(string idOrName, CancellationToken ct = default)
    {
        var network = (await networks.GetAsync(idOrName, ct)).Network;
        return Networks.NetworkNames.Of(network, await containers.OnNetworkAsync(network.Id, ct));
    }

    public Task ConnectContainerAsync(string network, string container, string? ip, IReadOnlyList<string> aliases, CancellationToken ct = default) =>
        containers.ConnectAsync(network, container, ip, aliases, ct);

    public Task DisconnectContainerAsync(string network, string container, CancellationToken ct = default) =>
        containers.DisconnectAsync(network, container, force: false, ct);

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
        Id = v.Network.Id, Name = v.Network.Name, Subnet = v.Network.Subnet.ToString(), Gateway = v.Network.Gateway.ToString(),
        IpRange = v.Network.IpRange?.ToString(), Bridge = v.Network.Bridge, Internal = v.Network.Internal,
        // The gateway is not leased: every lease is an endpoint, and an endpoint is a container.
        Containers = v.Leases.Select(l => l.OwnerId).Distinct().Count(),
        Used = v.Usage.Used, Free = v.Usage.Free,
        Leases = v.Leases.OrderBy(l => l.Address).Select(l => new LeaseRow(l.OwnerId, IPv4.ToAddress(l.Address).ToString(), l.Since)).ToList(),
    };

    private sealed class HubSubscription(Engine.Events.EventHub.Subscription inner) : IEventSubscription
    {
        public IReadOnlyList<Engine.Events.EngineEvent> History => inner.History;
        public ChannelReader<Engine.Events.EngineEvent> Live => inner.Live;
        public void Dispose() => inner.Dispose();
    }
}
