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
/// A container's resources in memory: one network, an image, and the leases, rootfs mounts, netns and endpoints made,
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
    public SortedSet<string> Mounts { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Netns { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Endpoints { get; } = new(StringComparer.Ordinal);
    /// <summary>The names published per container, as the resolver would hold them.</summary>
    public SortedDictionary<string, MyDocker.Engine.Networks.Dns.ContainerNames> Names { get; } = new(StringComparer.Ordinal);
    private uint _next = 2;

    public EngineOptions Options { get; } = new() { DataRoot = dataRoot, ExecRoot = Path.Combine(dataRoot, "run") };

    public ContainerPaths Paths(string id) => ContainerPaths.For(Options, id);

    public void NoteActivity() { }

    public Task<ImageView> ImageAsync(string reference, CancellationToken ct) =>
        Task.FromResult(new ImageView("sha256:" + new string('a', 64), [reference], DateTimeOffset.UnixEpoch, 0, [],
            ImageConfig.Empty with { Cmd = ["sleep", "1"] }));

    /// <summary>The one network every container joins: Docker's default one unless a test names another
    /// (<see cref="Containers.ContainerLab.UseNetworkAsync"/>).</summary>
    public Network Network { get; set; } =
        NetworkStore.ToNetwork(new NetworkEntity { Id = NetworkId, Name = "bridge", Subnet = "10.88.0.0/24", Gateway = "10.88.0.1", Bridge = "md-0123456789ab" });

    public Task<NetworkView> NetworkAsync(string? name, CancellationToken ct) => Task.FromResult(new NetworkView(
        Network, new IpamUsageInfo(254, Leases.Count, 254 - Leases.Count), []));

    public Task<IPAddress> AllocateAddressAsync(string networkId, string containerId, IPAddress? requested)
    {
        Fail("address");
        var address = requested ?? IPAddress.Parse($"10.88.0.{_next++}");
        Leases.Add(address.ToString());
        return Task.FromResult(address);
    }

    public void ReleaseAddress(string networkId, IPAddress address)
    {
        Fail("release address");
        Leases.Remove(address.ToString());
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
        Endpoints.Add(plan.ContainerId);
        scope.OnRollback($"endpoint of {plan.ContainerId}", () => Endpoints.Remove(plan.ContainerId));
    }

    public void TeardownEndpoint(string containerId, Teardown t) => t.Step("endpoint", () =>
    {
        Fail("teardown endpoint");
        Endpoints.Remove(containerId);
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
