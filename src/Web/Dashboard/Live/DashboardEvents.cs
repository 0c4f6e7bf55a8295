using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Which of the engine's events change what a dashboard page shows: the one place the dashboard reads events' kinds
/// and actions.
/// </summary>
public static class DashboardEvents
{
    /// <summary>A container event that changes a container's row (and confirms pending actions): "kill", "stop" (after its
    /// "die"), "attach" and exec events change nothing shown.</summary>
    public static bool ChangesContainer(EngineEvent e) =>
        e.Kind == EventKind.Container && e.Action is EventAction.Create or EventAction.Start or EventAction.Die or EventAction.Restart or EventAction.Destroy;

    /// <summary>A network's own events, and a container made or removed (its lease changes the counts).</summary>
    public static bool ChangesNetworkList(EngineEvent e) =>
        e.Kind == EventKind.Network || (e.Kind == EventKind.Container && e.Action is EventAction.Create or EventAction.Destroy);

    /// <summary>What the topology draws: containers' rows and networks.</summary>
    public static bool ChangesTopology(EngineEvent e) => ChangesContainer(e) || e.Kind == EventKind.Network;

    /// <summary>What the run form checks against: the names taken, the networks and the images.</summary>
    public static bool ChangesRunChecks(EngineEvent e) => e.Kind switch
    {
        EventKind.Container or EventKind.Network => e.Action is EventAction.Create or EventAction.Destroy,
        EventKind.Image => true,
        _ => false,
    };

    /// <summary>An event about the container <paramref name="id"/> (null: any container).</summary>
    public static bool IsAboutContainer(EngineEvent e, string? id) => e.Kind == EventKind.Container && (id is null || e.ActorId == id);

    /// <summary>An event of the network <paramref name="id"/> itself (null: any network). A container joining or leaving
    /// is the network's connect/disconnect event.</summary>
    public static bool IsAboutNetwork(EngineEvent e, string? id) => e.Kind == EventKind.Network && (id is null || e.ActorId == id);

    /// <summary>The container events of a batch as (container id, action), for <see cref="Containers.PendingActions"/>.</summary>
    public static IEnumerable<(string Id, EventAction Action)> ContainerActions(IEnumerable<EngineEvent> batch) =>
        batch.Where(e => e.Kind == EventKind.Container).Select(e => (e.ActorId, e.Action));
}
