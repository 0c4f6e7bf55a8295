using System.Text.Json;
using MyDocker.Engine.Events;

namespace MyDocker.Engine.State;

/// <summary>The one mapping between <see cref="EngineEvent"/> and its stored row: Docker's words (<see cref="EventWords"/>)
/// and the attributes as JSON, as the Events table has always held them.</summary>
internal static class EventMapping
{
    public static EventEntity ToEntity(EngineEvent e) => new()
    {
        Type = EventWords.Of(e.Kind), Action = EventWords.Action(e), ActorId = e.ActorId, TimeNano = e.TimeNano,
        AttributesJson = JsonSerializer.Serialize(e.Attributes),
    };

    public static EngineEvent ToEvent(EventEntity row)
    {
        var kind = EventWords.KindOf(row.Type)
            ?? throw new InvalidDataException($"event {row.Id} in the Events table has the unknown type '{row.Type}'");
        var (action, command) = EventWords.ActionOf(row.Action)
            ?? throw new InvalidDataException($"event {row.Id} in the Events table has the unknown action '{row.Action}'");
        var attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(row.AttributesJson) ?? [];
        return new EngineEvent(kind, action, row.ActorId, attributes)
        {
            Command = command, TimeNano = row.TimeNano,
            ExitCode = action is EventAction.Die or EventAction.ExecDie
                       && attributes.TryGetValue(EventWords.ExitCodeAttribute, out var c) && long.TryParse(c, out var n) ? n : null,
        };
    }
}
