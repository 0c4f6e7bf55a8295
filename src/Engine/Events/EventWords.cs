namespace MyDocker.Engine.Events;

/// <summary>
/// Docker's spelling of events: the words the Events table stores and `GET /events` sends (docker events and the e2e
/// tests read them). The one place they are written; <see cref="EngineEvents"/>, State/EventMapping and the API use it.
/// </summary>
public static class EventWords
{
    /// <summary>Keys of <see cref="EngineEvent.Attributes"/> that have a typed property too.</summary>
    public const string NameAttribute = "name", ImageAttribute = "image", ExitCodeAttribute = "exitCode";

    /// <summary>"container", "network" or "image".</summary>
    public static string Of(EventKind kind) => kind switch
    {
        EventKind.Container => "container",
        EventKind.Network => "network",
        EventKind.Image => "image",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The action as Docker sends it: exec_create and exec_start carry their command ("exec_start: sh -c x").</summary>
    public static string Action(EngineEvent e) => e.Command is { } command ? $"{Of(e.Action)}: {command}" : Of(e.Action);

    /// <summary>The action's word without a command.</summary>
    public static string Of(EventAction action) => action switch
    {
        EventAction.Create => "create",
        EventAction.Start => "start",
        EventAction.Restart => "restart",
        EventAction.Kill => "kill",
        EventAction.Die => "die",
        EventAction.Oom => "oom",
        EventAction.Stop => "stop",
        EventAction.Destroy => "destroy",
        EventAction.ExecCreate => "exec_create",
        EventAction.ExecStart => "exec_start",
        EventAction.ExecDie => "exec_die",
        EventAction.Connect => "connect",
        EventAction.Disconnect => "disconnect",
        EventAction.Import => "import",
        EventAction.Load => "load",
        EventAction.Untag => "untag",
        EventAction.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    internal static EventKind? KindOf(string word) => Enum.GetValues<EventKind>().Cast<EventKind?>().FirstOrDefault(k => Of(k!.Value) == word);

    /// <summary>Reads a stored action: its word and, for exec_create and exec_start, the command after ": ".</summary>
    internal static (EventAction Action, string? Command)? ActionOf(string text)
    {
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        string word = colon < 0 ? text : text[..colon];
        foreach (var a in Enum.GetValues<EventAction>())
            if (Of(a) == word) return (a, colon < 0 ? null : text[(colon + 2)..]);
        return null;
    }
}
