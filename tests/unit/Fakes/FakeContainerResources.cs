using System.Net;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// A container's resources in memory: networks (<see cref="AddNetwork"/>; "bridge" always), an image, and the leases,
/// rootfs mounts, netns and endpoints made,
/// so a test can see what a create or remove left behind (<see cref="Dump"/>). <see cref="FailAt"/> makes one step throw, as
/// the kernel would, after which the step has made (or removed) nothing. Paths are real directories under <paramref name="dataRoot"/>.
/// Not thread-safe (tests drive one operation at a time).
/// </summary>
public sealed class FakeContainerResources(string dataRoot) : IContainerResources
{
    public const string NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>The step that fails next: "address", "rootfs", "netns" or "endpoint" (making them, with the step's own
    /// exception), or "release address", "unmount rootfs", "remove netns", "teardown endpoint" (undoing them, with the
    /// kernel's EBUSY); null: none.</summary>
    public string? FailAt { get; set; }

    public SortedSet<string> Leases { get; } = new(StringComparer.Ordinal);
    /// <summary>Who holds each lease: address → (network id, container id).</summary>
    private readonly Dictionary<string, (string Network, string Owner)> _owners = [];
    private readonly Dictionary<string, Network> _networks = [];
    public SortedSet<string> Mounts { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Netns { get; } = new(StringComparer.Ordinal);
    /// <summary>"container-id/ethN" of every veth pair made.</summary>
    public SortedSet<string> Endpoints { get; } = new(StringComparer.Ordinal);
    /// <summary>The names published per container, as the resolver would hold them.</summary>
    public SortedDictionary<string, MyDocker.Engine.Networks.Dns.ContainerNames> Names { get; } = new(StringComparer.Ordinal);
    /// <summary>"container-id via gateway" of each default route moved.</summary>
    public List<string> DefaultRoutes { get; } = [];
    private uint _next = 2;

    public EngineOptions Options { get; } = new() { DataRoot = dataRoot, ExecRoot = Path.Combine(dataRoot, "run") };

    public ContainerPaths Paths(string id) => ContainerPaths.For(Options, id);

    public void NoteActivity() { }

    public Task<ImageView> ImageAsync(string reference, CancellationToken ct) =>
        Task.FromResult(new ImageView("sha256:" + new string('a', 64), [reference], DateTimeOffset.UnixEpoch, 0, [],
            ImageConfig.Empty with { Cmd = ["sleep", "1"] }));

    /// <summary>A network besides "bridge" (10.88.0.0/24): its /24 is 10.(88 + n).0.0 for the n-th one added. The caller
    /// stores it (<see cref="NetworkStore"/>) where the engine reads networks from the database.</summary>
    public Network AddNetwork(string name, string id, bool isInternal = false)
    {
        int third = 88 + _networks.Count + 1;
        var network = NetworkStore.ToNetwork(new NetworkEntity
        {
            Id = id, Name = name, Subnet = $"10.{third}.0.0/24", Gateway = $"10.{third}.0.1", Bridge = "md-" + id[..12], Phase = NetworkPhase.Ready, Internal = isInternal,
        });
        _networks[name] = network;
        return network;
    }

    public static Network Bridge { get; } = NetworkStore.ToNetwork(new NetworkEntity
    {
        Id = NetworkId, Name = "bridge", Subnet = "10.88.0.0/24", Gateway = "10.88.0.1", Bridge = "md-0123456789ab", Phase = NetworkPhase.Ready,
    });

    public Task<NetworkView> NetworkAsync(string? name, CancellationToken ct)
    {
        var network = name is null or "" or "bridge" or "default" ? Bridge
            : _networks.GetValueOrDefault(name) ?? _networks.Values.FirstOrDefault(n => n.Id == name)
              ?? throw EngineException.NotFound($"network '{name}' not found");
        return Task.FromResult(new NetworkView(network, new IpamUsageInfo(254, Leases.Count, 254 - Leases.Count), []));
    }

    public Task<IPAddress> AllocateAddressAsync(string networkId, string containerId, IPAddress? requested)
    {
        Fail("address");
        var network = networkId == NetworkId ? Bridge : _networks.Values.Single(n => n.Id == networkId);
        if (requested is not null && !network.Subnet.Contains(IPv4.ToUInt(requested)))
            throw EngineException.Invalid($"address {requested} is outside network '{network.Name}' ({network.Subnet})");
        if (requested is not null && Leases.Contains(requested.ToString()))
            throw EngineException.Conflict($"address {requested} of network '{network.Name}' is already in use");
        var address = requested ?? Next(network);
        Leases.Add(address.ToString());
        _owners[address.ToString()] = (networkId, containerId);
        return Task.FromResult(address);
    }

    /// <summary>On "bridge" a counter (an address is not handed out twice, as IPAM's round-robin cursor does); elsewhere the lowest free.</summary>
    private IPAddress Next(Network network)
    {
        if (network.Id == NetworkId) return IPAddress.Parse($"10.88.0.{_next++}");
        var b = network.Gateway.GetAddressBytes();
        for (b[3] = 2; Leases.Contains(new IPAddress(b).ToString()); b[3]++) { }
        return new IPAddress(b);
    }

    public void ReleaseAddress(string networkId, IPAddress address)
    {
        Fail("release address");
        Leases.Remove(address.ToString());
        _owners.Remove(address.ToString());
    }

    public void ReleaseAddressesOf(string networkId, string containerId)
    {
        Fail("release address");
        foreach (var (address, _) in _owners.Where(o => o.Value == (networkId, containerId)).ToList())
        {
            Leases.Remove(address);
            _owners.Remove(address);
        }
    }

    public void MountRootfs(ImageView image, ContainerPaths paths)
    {
        Fail("rootfs");
        Mounts.Add(paths.Rootfs);
    }

    public void UnmountRootfs(ContainerPaths paths)
    {
        Fail("unmount rootfs");
        Mounts.Remove(paths.Rootfs);
    }

    public bool IsRootfsMounted(ContainerPaths paths) => Mounts.Contains(paths.Rootfs);

    public void CreateNetns(ContainerPaths paths)
    {
        Fail("netns");
        Netns.Add(paths.NetnsName);
    }

    public void RemoveNetns(ContainerPaths paths)
    {
        Fail("remove netns");
        Netns.Remove(paths.NetnsName);
    }

    public void SetupEndpoint(EndpointPlan plan, RollbackScope scope)
    {
        Fail("endpoint");
        string key = $"{plan.ContainerId}/{plan.ContainerInterface}";
        if (!Endpoints.Add(key)) throw KernelException.FromErrno("create veth", KernelException.EEXIST, key);
        scope.OnRollback($"endpoint of {plan.ContainerId}", () => Endpoints.Remove(key));
    }

    public void TeardownEndpoint(string containerId, int interfaceIndex, Teardown t, bool halfMade = false, bool deleteNow = false) => t.Step("endpoint", () =>
    {
        Fail("teardown endpoint");
        Endpoints.Remove($"{containerId}/eth{interfaceIndex}");
    });

    public Task PublishNamesAsync(MyDocker.Engine.Networks.Dns.ContainerNames names, CancellationToken ct)
    {
        Fail("names");
        Names[names.ContainerId] = names;
        return Task.CompletedTask;
    }

    public Task WithdrawNamesAsync(string containerId, CancellationToken ct)
    {
        Fail("withdraw names");
        Names.Remove(containerId);
        return Task.CompletedTask;
    }

    public void MoveDefaultRoute(EndpointPlan plan)
    {
        Fail("default route");
        DefaultRoutes.Add($"{plan.ContainerId[..12]} via {plan.Gateway} dev {plan.ContainerInterface}");
    }

    /// <summary>What exists, one kind per line: "leases: 10.88.0.2", "mounts: …", "netns: …", "endpoints: …", and
    /// "names: db=10.1.0.2 …" when a container's names are published.</summary>
    public string Dump() => string.Join('\n',
        $"leases: {string.Join(' ', Leases)}", $"mounts: {Mounts.Count}", $"netns: {Netns.Count}", $"endpoints: {Endpoints.Count}")
        + (Names.Count == 0 ? "" : $"\nnames: {string.Join(' ', Names.Values.SelectMany(n => n.Endpoints.SelectMany(e => e.Names.Select(x => $"{x}={e.Ip}"))))}");

    private void Fail(string step)
    {
        if (FailAt != step) return;
        FailAt = null;
        if (step.Contains(' ')) throw KernelException.FromErrno(step, KernelException.EBUSY, "injected failure");
        throw new InvalidOperationException($"injected failure at {step}");
    }
}
