using System.Threading.Channels;
using MyDocker.Engine;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;
using MyDocker.Web.Dashboard;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>
/// The dashboard's engine seam with in-memory networks. Validation runs the real pure planner, so the messages are
/// the engine's own; events are whatever the test writes to <see cref="Events"/>.
/// </summary>
public sealed class FakeDashboardEngine : IDashboardEngine
{
    public List<NetworkRow> Networks { get; } = [];
    public List<OccupiedSubnet> HostRoutes { get; } = [];
    public Channel<EventRow> Events { get; } = Channel.CreateUnbounded<EventRow>();
    public List<EventRow> History { get; } = [];
    private long _nano = 1;

    public Task<IReadOnlyList<NetworkRow>> ListNetworksAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<NetworkRow>>(Networks.ToList());

    public Task<NetworkRow> GetNetworkAsync(string idOrName, CancellationToken ct = default) =>
        Task.FromResult(Networks.FirstOrDefault(n => n.Id == idOrName || n.Name == idOrName)
                        ?? throw EngineException.NotFound($"network '{idOrName}' not found"));

    /// <summary>What GetPlumbingAsync answers, by network name; a network without an entry has no kernel state.</summary>
    public Dictionary<string, PlumbingRow> Plumbing { get; } = [];

    public async Task<PlumbingRow> GetPlumbingAsync(string idOrName, CancellationToken ct = default)
    {
        var n = await GetNetworkAsync(idOrName, ct);
        return Plumbing.GetValueOrDefault(n.Name) ?? new PlumbingRow(new NetworkPlumbing(null, [], [], [], []), new Dictionary<string, string>());
    }

    public Task ValidateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default) { Plan(spec); return Task.CompletedTask; }

    public Task<string> SuggestSubnetAsync(CancellationToken ct = default) =>
        Task.FromResult(NetworkPlanner.PickFreeSubnet(EngineOptions.DockerAddressPools, Occupied()).ToString());

    public Task<NetworkRow> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        var p = Plan(spec);
        var row = Row(p.Name, p.Subnet.ToString(), p.Id);
        Networks.Add(row);
        Publish("network", "create", row.Id, row.Name);
        return Task.FromResult(row);
    }

    public Task RemoveNetworkAsync(string id, CancellationToken ct = default)
    {
        Networks.RemoveAll(n => n.Id == id);
        Publish("network", "destroy", id, id);
        return Task.CompletedTask;
    }

    public IEventSubscription SubscribeEvents(long? sinceNano) =>
        new Sub(sinceNano is long s ? History.Where(e => e.TimeNano >= s).ToList() : [], Events.Reader);

    public void Publish(string type, string action, string id, string name) =>
        Events.Writer.TryWrite(Event(type, action, id, name));

    public EventRow Event(string type, string action, string id, string name) => new()
    {
        Type = type, Action = action, ActorId = id, TimeNano = _nano++, AttributesJson = $"{{\"name\":\"{name}\"}}",
    };

    public static NetworkRow Row(string name, string subnet, string? id = null) => new()
    {
        Id = id ?? NetworkPlanner.NewId(), Name = name, Subnet = subnet, Gateway = IPv4.ToAddress(IPv4Subnet.Parse(subnet).Network + 1).ToString(),
        Bridge = "md-" + name, Used = 0, Free = 253,
    };

    private NetworkPlan Plan(NetworkCreateSpec spec) => NetworkPlanner.Plan(
        spec, Networks.Select(n => (n.Name, n.Id, n.Bridge)).ToList(), Occupied(), _ => false, EngineOptions.DockerAddressPools);

    private List<OccupiedSubnet> Occupied() =>
        [.. Networks.Select(n => new OccupiedSubnet(IPv4Subnet.Parse(n.Subnet), $"network '{n.Name}' ({n.Subnet})")), .. HostRoutes];

    private sealed class Sub(IReadOnlyList<EventRow> history, ChannelReader<EventRow> live) : IEventSubscription
    {
        public IReadOnlyList<EventRow> History => history;
        public ChannelReader<EventRow> Live => live;
        public void Dispose() { }
    }
}
