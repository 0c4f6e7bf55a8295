using System.Net;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Dns;

namespace MyDocker.Engine.Containers;

/// <summary>
/// The real <see cref="IContainerResources"/>: images from <see cref="ImageService"/>, an overlay mount of their layers,
/// networks and addresses from <see cref="NetworkService"/>, a bind-mounted netns and the bridge's veth endpoint, names
/// through the resolver (<see cref="INameRegistry"/>).
/// </summary>
public sealed class ContainerResources(
    EngineOptions options, ImageService images, NetworkService networks, NetnsStore netns, EndpointDriver endpoints, LinkReaper reaper,
    INameRegistry names)
    : IContainerResources
{
    /// <summary>The network a container joins when none is named; created on first use (Docker's "bridge").</summary>
    public const string DefaultNetworkName = "bridge";

    private readonly SemaphoreSlim _defaultNetworkGate = new(1, 1);

    public EngineOptions Options => options;

    public ContainerPaths Paths(string id) => ContainerPaths.For(options, id);

    public void NoteActivity() => reaper.NoteActivity();

    public Task<ImageView> ImageAsync(string reference, CancellationToken ct) => images.GetAsync(reference, ct);

    public async Task<NetworkView> NetworkAsync(string? name, CancellationToken ct)
    {
        if (name is { Length: > 0 } && name != "default" && name != DefaultNetworkName)
        {
            if (name is "host" or "none" || name.StartsWith("container:"))
                throw EngineException.Invalid($"network mode '{name}' is not supported; run the container on a bridge network (--network NAME) or leave --network out");
            return await networks.GetAsync(name, ct);
        }
        // Docker's default network; made on first use so an idle engine owns no bridge.
        await _defaultNetworkGate.WaitAsync(ct);
        try
        {
            try { return await networks.GetAsync(DefaultNetworkName, ct); }
            catch (EngineException e) when (e.Kind == ErrorKind.NotFound) { }
            return await networks.CreateAsync(new NetworkCreateSpec(DefaultNetworkName), ct);
        }
        finally { _defaultNetworkGate.Release(); }
    }

    public Task<IPAddress> AllocateAddressAsync(string networkId, string containerId, IPAddress? requested) =>
        networks.AllocateAddressAsync(networkId, containerId, requested, CancellationToken.None);

    public void ReleaseAddress(string networkId, IPAddress address) => networks.ReleaseAddress(networkId, address);

    public void ReleaseAddressesOf(string networkId, string containerId) => networks.ReleaseAddressesOf(networkId, containerId);

    public void MountRootfs(ImageView image, ContainerPaths paths) =>
        OverlayMount.Mount(images.LowerDirs(image), paths.Upper, paths.Work, paths.Rootfs);

    public void UnmountRootfs(ContainerPaths paths) => OverlayMount.Unmount(paths.Rootfs);

    public bool IsRootfsMounted(ContainerPaths paths) => OverlayMount.IsMounted(paths.Rootfs);

    public void CreateNetns(ContainerPaths paths) => netns.Create(paths.NetnsName);

    public void RemoveNetns(ContainerPaths paths) => netns.Remove(paths.NetnsName);

    public void SetupEndpoint(EndpointPlan plan, RollbackScope scope) => endpoints.Setup(plan, scope);

    public void TeardownEndpoint(string containerId, int interfaceIndex, Teardown t, bool halfMade = false, bool deleteNow = false) =>
        endpoints.Teardown(containerId, interfaceIndex, t, deleteNow, allowUnmarked: halfMade);

    public void MoveDefaultRoute(EndpointPlan plan) => endpoints.MoveDefaultRoute(plan);

    public Task PublishNamesAsync(ContainerNames containerNames, CancellationToken ct) => names.PutAsync(containerNames, ct);

    public Task WithdrawNamesAsync(string containerId, CancellationToken ct) => names.RemoveAsync(containerId, ct);
}
