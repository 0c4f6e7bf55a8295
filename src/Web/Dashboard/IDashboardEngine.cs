using System.Threading.Channels;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Web.Dashboard.Containers;

namespace MyDocker.Web.Dashboard;

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
    /// <summary>The names the network resolves now (running containers' names, aliases, short ids and hostnames at their
    /// addresses there), by name; none on the default network. Throws NotFound.</summary>
    Task<IReadOnlyList<Networks.NameRow>> ListNamesAsync(string idOrName, CancellationToken ct = default);
    /// <summary>`network connect [--ip IP] [--alias A]… NETWORK CONTAINER`; returns when the interface exists and its names
    /// answer. Throws what connect throws (nothing changed then); the network's connect event follows.</summary>
    Task ConnectContainerAsync(string network, string container, string? ip, IReadOnlyList<string> aliases, CancellationToken ct = default);
    /// <summary>`network disconnect NETWORK CONTAINER` (without -f); throws what disconnect throws, e.g. for the container's
    /// last network. The network's disconnect event follows.</summary>
    Task DisconnectContainerAsync(string network, string container, CancellationToken ct = default);
    /// <summary>Runs create's checks without creating; throws what create would throw.</summary>
    Task ValidateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default);
    Task<string> SuggestSubnetAsync(CancellationToken ct = default);
    Task<NetworkRow> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default);
    Task RemoveNetworkAsync(string id, CancellationToken ct = default);
    /// <summary>Stored events from <paramref name="sinceNano"/> (null: none), then live ones until the subscription is
    /// disposed. The history and the live part neither overlap nor leave a gap.</summary>
    IEventSubscription SubscribeEvents(long? sinceNano);
    /// <summary>Every network (as <see cref="ListNetworksAsync"/>), then batches of their changes, re-read once per batch
    /// of events (<see cref="Live.RowWatches.NetworksAsync"/>). The changes end when the engine's stream breaks; cancel
    /// their enumeration to stop.</summary>
    Task<Live.LiveSubscription<NetworkRow>> WatchNetworksAsync(CancellationToken ct = default);

    // Containers. Actions return when the engine has done them; the engine's events (start, die, restart, destroy) say so
    // to every page, and the pages wait for those rather than for the call (a change made elsewhere looks the same).
    /// <summary>Every container, newest first (Docker's <c>ps -a</c>).</summary>
    Task<IReadOnlyList<ContainerRow>> ListContainersAsync(CancellationToken ct = default);
    /// <summary>Every container (as <see cref="ListContainersAsync"/>), then batches of their changes: the containers a
    /// batch of events names, each re-read once (<see cref="Live.RowWatches.ContainersAsync"/>). The changes end when the
    /// engine's stream breaks; cancel their enumeration to stop.</summary>
    Task<Live.LiveSubscription<ContainerRow>> WatchContainersAsync(CancellationToken ct = default);
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

/// <summary>History first, then live events; dispose to stop.</summary>
public interface IEventSubscription : IDisposable
{
    IReadOnlyList<Engine.Events.EngineEvent> History { get; }
    ChannelReader<Engine.Events.EngineEvent> Live { get; }
}
