using MyDocker.Engine.State;

namespace MyDocker.Web.Dashboard.Live;

/// <summary>
/// Which of the engine's events change what a dashboard page shows: the one place the dashboard reads the event
/// vocabulary (type and action words), so a change of the event type is an edit here.
/// </summary>
public static class DashboardEvents
{
    /// <summary>A container event that changes a container's row (and confirms pending actions): "kill", "stop" (after its
    /// "die"), "attach" and exec events change nothing shown.</summary>
    public static bool ChangesContainer(EventRow e) => e.Type == "container" && e.Action is "create" or "start" or "die" or "restart" or "destroy";

    /// <summary>A network's own events, and a container made or removed (its lease changes the counts).</summary>
    public static bool ChangesNetworkList(EventRow e) => e.Type == "network" || (e.Type == "container" && e.Action is "create" or "destroy");

    /// <summary>What the topology draws: containers' rows and networks.</summary>
    public static bool ChangesTopology(EventRow e) => ChangesContainer(e) || e.Type == "network";

    /// <summary>What the run form checks against: the names taken, the networks and the images.</summary>
    public static bool ChangesRunChecks(EventRow e) => e.Type switch
    {
        "container" => e.Action is "create" or "destroy",
        "network" => e.Action is "create" or "destroy",
        "image" => true,
        _ => false,
    };

    /// <summary>An event about the container <paramref name="id"/> (null: any container).</summary>
    public static bool IsAboutContainer(EventRow e, string? id) => e.Type == "container" && (id is null || e.ActorId == id);

    /// <summary>An event of the network <paramref name="id"/> itself (null: any network). A container joining or leaving
    /// is the network's connect/disconnect event.</summary>
    public static bool IsAboutNetwork(EventRow e, string? id) => e.Type == "network" && (id is null || e.ActorId == id);

    /// <summary>The containers whose rows a batch changes, each once, in order.</summary>
    public static List<string> ContainersChanged(IEnumerable<EventRow> batch) => batch.Where(ChangesContainer).Select(e => e.ActorId).Distinct().ToList();

    /// <summary>The container events of a batch as (container id, action word), for <see cref="Containers.PendingActions"/>.</summary>
    public static IEnumerable<(string Id, string Action)> ContainerActions(IEnumerable<EventRow> batch) =>
        batch.Where(e => e.Type == "container").Select(e => (e.ActorId, e.Action));
}
