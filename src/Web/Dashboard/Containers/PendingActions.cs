using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Containers;

public enum ContainerAction { Start, Stop, Restart, Remove }

/// <summary>
/// Actions asked for from this page and not yet confirmed by the engine's events. A button shows "Stopping…" and stays
/// disabled from the click until the event that shows the new state arrives (not until the call returns: the call of
/// another client, or a slow event, must not leave a button claiming a state the table does not show yet).
/// Not thread-safe: the page uses it from its dispatcher only.
/// </summary>
public sealed class PendingActions
{
    private readonly Dictionary<string, ContainerAction> _pending = [];

    public ContainerAction? this[string id] => _pending.TryGetValue(id, out var a) ? a : null;

    public void Begin(string id, ContainerAction action) => _pending[id] = action;

    /// <summary>The call failed, or said nothing will change (start of a running container): no event will come.</summary>
    public void End(string id) => _pending.Remove(id);

    /// <summary>The engine's event that confirms the action: a start's "start", a stop's "die" (the exit is recorded; the
    /// "stop" that follows it changes nothing, and pages do not subscribe to it), a restart's "restart" (published after its start), a remove's "destroy".</summary>
    public static bool Confirms(ContainerAction action, EventAction eventAction) => (action, eventAction) switch
    {
        (_, EventAction.Destroy) => true,
        (ContainerAction.Start, EventAction.Start) => true,
        (ContainerAction.Stop, EventAction.Die) => true,
        (ContainerAction.Restart, EventAction.Restart) => true,
        _ => false,
    };

    /// <summary>Ends what the engine's actions on containers (<see cref="Live.DashboardEvents.ContainerActions"/>, or a
    /// change's) confirm.</summary>
    public void Apply(IEnumerable<(string Id, EventAction Action)> actions)
    {
        foreach (var (id, action) in actions)
            if (_pending.TryGetValue(id, out var a) && Confirms(a, action))
                _pending.Remove(id);
    }

    public static string Label(ContainerAction action) => action switch
    {
        ContainerAction.Start => "Starting…",
        ContainerAction.Stop => "Stopping…",
        ContainerAction.Restart => "Restarting…",
        _ => "Removing…",
    };
}
