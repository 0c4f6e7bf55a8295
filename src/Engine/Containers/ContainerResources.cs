using System.Net;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers.Network;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Containers;

/// <summary>
/// What a container is made of besides its process, as <see cref="ContainerService"/> orchestrates it: its image and the
/// rootfs mounted from the image's layers, its network and the address leased on it, its netns and its veth endpoint,
/// and the directories under the engine's data root. Each call does one step, so the caller can register its undo in a
/// <see cref="RollbackScope"/> or run it as one step of a <see cref="Teardown"/>; the undo steps tolerate "already gone".
/// Thread-safe.
/// </summary>
public sealed class ContainerResources(
    EngineOptions options, ImageService images, NetworkService networks, NetnsStore netns, EndpointDriver endpoints, LinkReaper reaper)
{
    /// <summary>The network a container joins when none is named; created on first use (Docker's "bridge").</summary>
    public const string DefaultNetworkName = "bridge";

    private readonly SemaphoreSlim _defaultNetworkGate = new(1, 1);

    public EngineOptions Options => options;

    /// <summary>The container's files under the data root and its netns name.</summary>
    public ContainerPaths Paths(string id) => ContainerPaths.For(options, id);

    /// <summary>An engine request is under way: the link reaper waits for a quiet moment before deleting devices (their
    /// deletion holds the RTNL lock, which would stall this request's kernel work).</summary>
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

    public void MountRootfs(ImageView image, ContainerPaths paths) =>
        OverlayMount.Mount(images.LowerDirs(image), paths.Upper, paths.Work, paths.Rootfs);

    public void UnmountRootfs(ContainerPaths paths) => OverlayMount.Unmount(paths.Rootfs);

    public void CreateNetns(ContainerPaths paths) => netns.Create(paths.NetnsName);

    public void RemoveNetns(ContainerPaths paths) => netns.Remove(paths.NetnsName);

    /// <summary>The veth pair and the container side's address and route; each step registers its undo in <paramref name="scope"/>.</summary>
    public void SetupEndpoint(EndpointPlan plan, RollbackScope scope) => endpoints.Setup(plan, scope);

    public void TeardownEndpoint(string containerId, Teardown t) => endpoints.Teardown(containerId, t);
}
