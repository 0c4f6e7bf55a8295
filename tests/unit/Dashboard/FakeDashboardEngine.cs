using System.Threading.Channels;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;
using MyDocker.Web.Dashboard;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Web.Dashboard.Live;
using MyDocker.Web.Dashboard.Networks;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>
/// The dashboard's engine seam with in-memory networks. Validation runs the real pure planner, so the messages are
/// the engine's own; events are whatever the test writes to <see cref="Events"/>.
/// </summary>
public sealed class FakeDashboardEngine : IDashboardEngine
{
    public List<NetworkRow> Networks { get; } = [];
    public List<OccupiedSubnet> HostRoutes { get; } = [];
    /// <summary>The live stream; a test completes it to break the stream, and sets a new one for the next subscription.</summary>
    public Channel<EngineEvent> Events { get; set; } = Channel.CreateUnbounded<EngineEvent>();
    public List<EngineEvent> History { get; } = [];
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

    /// <summary>What ListNamesAsync answers, by network name; a network without an entry resolves no name.</summary>
    public Dictionary<string, IReadOnlyList<NameRow>> Names { get; } = [];
    /// <summary>When set, connect or disconnect throws this as a refusal of the engine (nothing changes).</summary>
    public string? ConnectError { get; set; }
    public string? DisconnectError { get; set; }

    public async Task<IReadOnlyList<NameRow>> ListNamesAsync(string idOrName, CancellationToken ct = default) =>
        Names.GetValueOrDefault((await GetNetworkAsync(idOrName, ct)).Name) ?? [];

    /// <summary>Records "connect NETWORK CONTAINER ip=IP aliases=A,B" in <see cref="Calls"/> and publishes the connect
    /// event; the test changes the rows.</summary>
    public async Task ConnectContainerAsync(string network, string container, string? ip, IReadOnlyList<string> aliases, CancellationToken ct = default)
    {
        Calls.Add($"connect {network} {container} ip={ip} aliases={string.Join(",", aliases)}");
        var n = await GetNetworkAsync(network, ct);
        if (ConnectError is { } error) throw EngineException.Invalid(error);
        Publish(EngineEvents.NetworkConnected(n.Id, n.Name, container));
    }

    public async Task DisconnectContainerAsync(string network, string container, CancellationToken ct = default)
    {
        Calls.Add($"disconnect {network} {container}");
        var n = await GetNetworkAsync(network, ct);
        if (DisconnectError is { } error) throw EngineException.Forbidden(error);
        Publish(EngineEvents.NetworkDisconnected(n.Id, n.Name, container));
    }

    public Task ValidateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default) { Plan(spec); return Task.CompletedTask; }

    public Task<string> SuggestSubnetAsync(CancellationToken ct = default) =>
        Task.FromResult(NetworkPlanner.PickFreeSubnet(EngineOptions.DockerAddressPools, Occupied()).ToString());

    public Task<NetworkRow> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default)
    {
        var p = Plan(spec);
        var row = Row(p.Name, p.Subnet.ToString(), p.Id);
        Networks.Add(row);
        Publish(EngineEvents.NetworkCreated(row.Id, row.Name));
        return Task.FromResult(row);
    }

    public Task RemoveNetworkAsync(string id, CancellationToken ct = default)
    {
        Networks.RemoveAll(n => n.Id == id);
        Publish(EngineEvents.NetworkDestroyed(id, id));
        return Task.CompletedTask;
    }

    /// <summary>The clock of the watches' batching window (the test context's fake one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    // The real client's change logic over this fake's reads and events.
    public Task<LiveSubscription<NetworkRow>> WatchNetworksAsync(CancellationToken ct = default) => RowWatches.NetworksAsync(this, Clock, ct);

    public Task<LiveSubscription<ContainerRow>> WatchContainersAsync(CancellationToken ct = default) => RowWatches.ContainersAsync(this, Clock, ct);

    public IEventSubscription SubscribeEvents(long? sinceNano) =>
        new Sub(sinceNano is long s ? History.Where(e => e.TimeNano >= s).ToList() : [], Events.Reader);

    public void Publish(EngineEvent e) => Events.Writer.TryWrite(Event(e));

    /// <summary>The event with the next time, as the engine's hub stamps it.</summary>
    public EngineEvent Event(EngineEvent e) => e with { TimeNano = _nano++ };

    /// <summary>A container as the events name it.</summary>
    public static Engine.Containers.Container Actor(string id, string name) =>
        ContainerStore.ToContainer(new() { Id = id, Name = name, Image = "busybox", ImageId = "" }, "");

    public static NetworkRow Row(string name, string subnet, string? id = null) => new()
    {
        Id = id ?? NetworkPlanner.NewId(), Name = name, Subnet = subnet, Gateway = IPv4.ToAddress(IPv4Subnet.Parse(subnet).Network + 1).ToString(),
        Bridge = "md-" + name, Used = 0, Free = 253,
    };

    private NetworkPlan Plan(NetworkCreateSpec spec) => NetworkPlanner.Plan(
        spec, Networks.Select(n => (n.Name, n.Id, n.Bridge)).ToList(), Occupied(), _ => false, EngineOptions.DockerAddressPools);

    private List<OccupiedSubnet> Occupied() =>
        [.. Networks.Select(n => new OccupiedSubnet(IPv4Subnet.Parse(n.Subnet), $"network '{n.Name}' ({n.Subnet})")), .. HostRoutes];

    // Containers. Actions change the rows and publish the engine's events, unless Manual: then they only record the call
    // and return, and the test changes the rows and publishes the events itself (as a slow engine, or another client).
    public List<ContainerRow> Containers { get; } = [];
    public List<ImageRow> Images { get; } = [];
    /// <summary>"start ID", "stop ID", "restart ID", "remove ID", "create NAME", in order.</summary>
    public List<string> Calls { get; } = [];
    public bool Manual { get; set; }
    /// <summary>When set, start throws this (the engine's plain words for a process that cannot start).</summary>
    public string? StartError { get; set; }
    public List<ContainerCreateSpec> Created { get; } = [];

    public Task<IReadOnlyList<ContainerRow>> ListContainersAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<ContainerRow>>(Containers.OrderByDescending(c => c.Created).ToList());

    public Task<ContainerRow> GetContainerAsync(string idOrName, CancellationToken ct = default) =>
        Task.FromResult(Containers.FirstOrDefault(c => c.Id == idOrName || c.Name == idOrName)
                        ?? throw EngineException.NotFound($"container '{idOrName}' not found; list containers with 'mydocker ps -a'"));

    public async Task<bool> StartContainerAsync(string id, CancellationToken ct = default)
    {
        Calls.Add("start " + id);
        var c = await GetContainerAsync(id, ct);
        if (StartError is { } error)
        {
            SetState(c.Name, "created", 127, error);
            throw EngineException.Invalid(error);
        }
        if (c.IsRunning) return false;
        if (!Manual) { SetState(c.Name, "running"); Publish(EngineEvents.ContainerStarted(Actor(id, c.Name))); }
        return true;
    }

    public async Task<bool> StopContainerAsync(string id, CancellationToken ct = default)
    {
        Calls.Add("stop " + id);
        var c = await GetContainerAsync(id, ct);
        if (!c.IsRunning) return false;
        if (!Manual) { SetState(c.Name, "exited", 143); Publish(EngineEvents.ContainerDied(Actor(id, c.Name), 143)); Publish(EngineEvents.ContainerStopped(Actor(id, c.Name))); }
        return true;
    }

    public async Task RestartContainerAsync(string id, CancellationToken ct = default)
    {
        Calls.Add("restart " + id);
        var c = await GetContainerAsync(id, ct);
        if (!Manual) { SetState(c.Name, "running"); Publish(EngineEvents.ContainerRestarted(id)); }
    }

    public async Task RemoveContainerAsync(string id, bool force, CancellationToken ct = default)
    {
        Calls.Add("remove " + id);
        var c = await GetContainerAsync(id, ct);
        if (c.IsRunning && !force) throw EngineException.Conflict($"container '{c.Name}' is running; stop it first");
        if (!Manual) { Containers.Remove(c); Publish(EngineEvents.ContainerDestroyed(Actor(id, c.Name))); }
    }

    public Task<ContainerRow> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default)
    {
        Calls.Add("create " + spec.Name);
        ContainerPlanner.Validate(spec, _ => true);
        if (Images.All(i => i.Reference != spec.Image)) throw EngineException.NotFound($"image '{spec.Image}' not found");
        if (Containers.Any(c => c.Name == spec.Name)) throw EngineException.Conflict($"container name '{spec.Name}' is already in use");
        Created.Add(spec);
        var row = Container(spec.Name ?? "generated_name", "created", image: spec.Image);
        Containers.Add(row);
        Publish(EngineEvents.ContainerCreated(Actor(row.Id, row.Name)));
        return Task.FromResult(row);
    }

    public Task<IReadOnlyList<ImageRow>> ListImagesAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<ImageRow>>(Images.ToList());

    /// <summary>The host's addresses besides 127.0.0.1 and 0.0.0.0.</summary>
    public List<string> HostAddresses { get; } = [];
    /// <summary>Taken host ports (any address), with the engine's words for who holds them.</summary>
    public Dictionary<(string Protocol, int Port), string> TakenPorts { get; } = [];
    /// <summary>Every CheckHostPortAsync call: "tcp 127.0.0.1 8080-8080".</summary>
    public List<string> PortChecks { get; } = [];
    /// <summary>Awaited by CheckHostPortAsync with the call (as in <see cref="PortChecks"/>) before it answers: a test
    /// holds an answer back (a slow engine) or fails it.</summary>
    public Func<string, Task>? BeforePortCheck { get; set; }

    public Task<IReadOnlyList<string>> ListHostAddressesAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<string>>(HostAddresses.ToList());

    public async Task<HostPortConflict?> CheckHostPortAsync(string protocol, string hostIp, int first, int last, CancellationToken ct = default)
    {
        string call = $"{protocol} {hostIp} {first}-{last}";
        PortChecks.Add(call);
        if (BeforePortCheck is { } before) await before(call);
        bool Free(int port) => !TakenPorts.ContainsKey((protocol, port));
        if (Enumerable.Range(first, last - first + 1).Any(Free)) return null;
        int? next = Enumerable.Range(last + 1, 100).Where(p => p <= 65535).Cast<int?>().FirstOrDefault(p => Free(p!.Value));
        string why = first == last ? TakenPorts[(protocol, first)] : $"no port of {first}-{last}/{protocol} on {hostIp} is free";
        return new HostPortConflict(why, next);
    }

    /// <summary>Replaces the named container's row with one in <paramref name="state"/> (a new reference, as the engine's
    /// reads give).</summary>
    public ContainerRow SetState(string name, string state, int? exitCode = null, string? error = null)
    {
        int at = Containers.FindIndex(c => c.Name == name);
        var row = Containers[at] with { State = state, ExitCode = state == "running" ? null : exitCode, Error = error };
        Containers[at] = row;
        return row;
    }

    private static int _containerSeq;

    public static ContainerRow Container(string name, string state = "running", string image = "busybox:latest", int? exitCode = null,
        string? ip = "172.17.0.2", IReadOnlyList<PortRow>? ports = null) => new()
    {
        Id = (Interlocked.Increment(ref _containerSeq).ToString("x") + name.GetHashCode().ToString("x8")).PadRight(64, '0'),
        Name = name, Image = image, State = state, ExitCode = exitCode,
        Created = DateTimeOffset.UnixEpoch.AddSeconds(_containerSeq), Command = "sleep 3600",
        Networks = ip is null ? [] : [new EndpointRow("bridge", ip)], Ports = ports ?? [],
    };

    public static ImageRow Image(string reference, string defaultCommand) =>
        new("sha256:" + new string('e', 64), reference, [reference], defaultCommand);

    private sealed class Sub(IReadOnlyList<EngineEvent> history, ChannelReader<EngineEvent> live) : IEventSubscription
    {
        public IReadOnlyList<EngineEvent> History => history;
        public ChannelReader<EngineEvent> Live => live;
        public void Dispose() { }
    }
}
