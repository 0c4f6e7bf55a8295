using MyDocker.Engine.Containers;
using static MyDocker.Engine.Events.EventWords;

namespace MyDocker.Engine.Events;

/// <summary>
/// Every event the engine publishes, one factory each, with the attributes Docker sends for it (moby
/// daemon/events.go LogContainerEventWithAttributes: name and image on every container event, plus the action's own).
/// </summary>
public static class EngineEvents
{
    public static EngineEvent ContainerCreated(Container c) => Container(c, EventAction.Create);
    public static EngineEvent ContainerStarted(Container c) => Container(c, EventAction.Start);
    /// <summary>Published after the restart's own start; carries no attributes.</summary>
    public static EngineEvent ContainerRestarted(string id) => new(EventKind.Container, EventAction.Restart, id, Empty);
    public static EngineEvent ContainerKilled(Container c, int signal) => Container(c, EventAction.Kill, ("signal", signal.ToString()));
    public static EngineEvent ContainerDied(Container c, long exitCode) =>
        Container(c, EventAction.Die, (ExitCodeAttribute, exitCode.ToString())) with { ExitCode = exitCode };
    public static EngineEvent ContainerOutOfMemory(Container c) => Container(c, EventAction.Oom);
    public static EngineEvent ContainerStopped(Container c) => Container(c, EventAction.Stop);
    public static EngineEvent ContainerDestroyed(Container c) => Container(c, EventAction.Destroy);
    /// <summary>The reconciler removed what a container left behind without its record.</summary>
    public static EngineEvent OrphanDestroyed(string id) =>
        new(EventKind.Container, EventAction.Destroy, id, new Dictionary<string, string> { ["orphan"] = "true" });

    public static EngineEvent ExecCreated(Container c, IEnumerable<string> cmd) =>
        Container(c, EventAction.ExecCreate) with { Command = string.Join(' ', cmd) };
    public static EngineEvent ExecStarted(Container c, IEnumerable<string> cmd) =>
        Container(c, EventAction.ExecStart) with { Command = string.Join(' ', cmd) };
    public static EngineEvent ExecDied(Container c, string execId, long exitCode) =>
        Container(c, EventAction.ExecDie, ("execID", execId), (ExitCodeAttribute, exitCode.ToString())) with { ExitCode = exitCode };

    public static EngineEvent NetworkCreated(string id, string name) => Network(id, EventAction.Create, ("type", "bridge"), name);
    public static EngineEvent NetworkDestroyed(string id, string name) => Network(id, EventAction.Destroy, ("type", "bridge"), name);
    /// <summary>Docker's connect and disconnect name the network ("name") and the container.</summary>
    public static EngineEvent NetworkConnected(string id, string name, string containerId) =>
        Network(id, EventAction.Connect, ("container", containerId), name);
    public static EngineEvent NetworkDisconnected(string id, string name, string containerId) =>
        Network(id, EventAction.Disconnect, ("container", containerId), name);

    /// <summary><paramref name="name"/>: the reference the image was imported, loaded or untagged as.</summary>
    public static EngineEvent ImageImported(string id, string name) => Image(id, EventAction.Import, name);
    public static EngineEvent ImageLoaded(string id, string name) => Image(id, EventAction.Load, name);
    public static EngineEvent ImageUntagged(string id, string name) => Image(id, EventAction.Untag, name);
    public static EngineEvent ImageDeleted(string id, string name) => Image(id, EventAction.Delete, name);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static EngineEvent Container(Container c, EventAction action, params (string Key, string Value)[] more)
    {
        var a = new Dictionary<string, string> { [NameAttribute] = c.Name, [ImageAttribute] = c.Image };
        foreach (var (k, v) in more) a[k] = v;
        return new EngineEvent(EventKind.Container, action, c.Id, a);
    }

    private static EngineEvent Network(string id, EventAction action, (string Key, string Value) more, string name) =>
        new(EventKind.Network, action, id, new Dictionary<string, string> { [NameAttribute] = name, [more.Key] = more.Value });

    private static EngineEvent Image(string id, EventAction action, string name) =>
        new(EventKind.Image, action, id, new Dictionary<string, string> { [NameAttribute] = name });
}
