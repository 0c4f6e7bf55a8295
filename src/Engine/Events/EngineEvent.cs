namespace MyDocker.Engine.Events;

/// <summary>What an event is about (Docker's event <c>Type</c>).</summary>
public enum EventKind { Container, Network, Image }

/// <summary>What happened (Docker's event <c>Action</c>; <see cref="EventWords"/> spells them).</summary>
public enum EventAction
{
    // Containers.
    Create, Start, Restart, Kill, Die, Oom, Stop, Destroy, ExecCreate, ExecStart, ExecDie,
    // Networks (also Create and Destroy).
    Connect, Disconnect,
    // Images.
    Import, Load, Untag, Delete,
}

/// <summary>
/// One engine event, immutable. Built only by <see cref="EngineEvents"/> (one factory per event the engine publishes),
/// stamped with its time by <see cref="EventHub.Publish"/>, stored by State/EventMapping and turned into Docker's JSON by
/// the API. Consumers test <see cref="Kind"/> and <see cref="Action"/>, and read the typed values, never words.
/// </summary>
public sealed record EngineEvent
{
    internal EngineEvent(EventKind kind, EventAction action, string actorId, IReadOnlyDictionary<string, string> attributes)
    {
        Kind = kind;
        Action = action;
        ActorId = actorId;
        Attributes = attributes;
    }

    public EventKind Kind { get; }
    public EventAction Action { get; }
    /// <summary>The container's, network's or image's full id.</summary>
    public string ActorId { get; }
    /// <summary>Docker's <c>Actor.Attributes</c> (name, image, exitCode, signal, ...), in the order they were built.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }
    /// <summary>exec_create and exec_start: the command, which Docker appends to the action word ("exec_start: sh -c x").</summary>
    public string? Command { get; internal init; }
    /// <summary>die and exec_die: the exit code.</summary>
    public long? ExitCode { get; internal init; }
    /// <summary>Unix time in nanoseconds (Docker's timeNano), strictly increasing; 0 until published.</summary>
    public long TimeNano { get; internal init; }

    /// <summary>The actor's name: a container's or network's name, an image's reference.</summary>
    public string? Name => Attributes.GetValueOrDefault(EventWords.NameAttribute);
    /// <summary>Container events: the container's image as the user named it.</summary>
    public string? Image => Attributes.GetValueOrDefault(EventWords.ImageAttribute);
}
