using System.Net;
using MyDocker.Engine.Common;
using MyDocker.Engine.Images;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Containers;

/// <summary>
/// What a container is made of besides its process, as <see cref="ContainerService"/> orchestrates it: its image and the
/// rootfs mounted from the image's layers, its network and the address leased on it, its netns and its veth endpoint,
/// and the directories under the engine's data root. Each call does one step, so the caller can register its undo in a
/// <see cref="RollbackScope"/> or run it as one step of a <see cref="Teardown"/>; the undo steps tolerate "already gone".
/// Implementations are thread-safe singletons.
/// </summary>
public interface IContainerResources
{
    EngineOptions Options { get; }

    /// <summary>The container's files under the data root and its netns name.</summary>
    ContainerPaths Paths(string id);

    /// <summary>An engine request is under way: the link reaper waits for a quiet moment before deleting devices (their
    /// deletion holds the RTNL lock, which would stall this request's kernel work).</summary>
    void NoteActivity();

    /// <exception cref="EngineException">NotFound: no such image.</exception>
    Task<ImageView> ImageAsync(string reference, CancellationToken ct);

    /// <summary>The named network, or Docker's default one (made on first use) when none is named.</summary>
    Task<NetworkView> NetworkAsync(string? name, CancellationToken ct);

    /// <exception cref="EngineException">NotFound when the network was removed meanwhile.</exception>
    Task<IPAddress> AllocateAddressAsync(string networkId, string containerId, IPAddress? requested);

    void ReleaseAddress(string networkId, IPAddress address);

    /// <summary>Releases every address of the network leased to the container (a connect cut short by a crash, whose
    /// lease may not be recorded yet). Idempotent; a closed pool has none.</summary>
    void ReleaseAddressesOf(string networkId, string containerId);

    void MountRootfs(ImageView image, ContainerPaths paths);

    /// <summary>Whether the container's rootfs is mounted (the reconciler mounts a missing one again).</summary>
    bool IsRootfsMounted(ContainerPaths paths);

    void UnmountRootfs(ContainerPaths paths);

    void CreateNetns(ContainerPaths paths);

    void RemoveNetns(ContainerPaths paths);

    /// <summary>The veth pair and the container side's address and route; each step registers its undo in <paramref name="scope"/>.</summary>
    void SetupEndpoint(EndpointPlan plan, RollbackScope scope);

    /// <summary>Removes the veth pair of the container's ethN (<paramref name="interfaceIndex"/>) as one step of <paramref name="t"/>;
    /// <paramref name="halfMade"/>: also one a crash left without its alias (see <see cref="EndpointDriver.Teardown"/>);
    /// <paramref name="deleteNow"/>: gone from the container when this returns (a disconnect), not later by the link reaper.</summary>
    void TeardownEndpoint(string containerId, int interfaceIndex, Teardown t, bool halfMade = false, bool deleteNow = false);

    /// <summary>The container's default route via <paramref name="plan"/>'s gateway and interface (its primary endpoint changed).</summary>
    void MoveDefaultRoute(EndpointPlan plan);

    /// <summary>The container's names answer from now on (<see cref="Networks.Dns.INameRegistry.PutAsync"/>).</summary>
    Task PublishNamesAsync(Networks.Dns.ContainerNames names, CancellationToken ct);

    /// <summary>The container's names no longer answer; idempotent.</summary>
    Task WithdrawNamesAsync(string containerId, CancellationToken ct);
}
