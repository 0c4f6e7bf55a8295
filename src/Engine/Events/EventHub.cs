using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Events;

/// <summary>
/// The one stream of engine events (DESIGN.md §3): every change is stored (table Events, for history and the dashboard)
/// and fanned out to live subscribers. A subscriber gets the stored history and then the live events under one lock,
/// so no event is lost or doubled between the two. Thread-safe.
/// </summary>
public sealed class EventHub(StateDbFactory state)
{
    /// <summary>How many past events the history keeps (Docker keeps 1,000, in memory only).</summary>
    public const int KeptEvents = 10_000;

    private readonly Lock _lock = new();
    private readonly List<Channel<EventRow>> _subscribers = [];
    private long _lastNano;

    /// <summary>Records and broadcasts an event. Never throws for a slow subscriber (its channel is unbounded).</summary>
    public EventRow Publish(string type, string action, string actorId, IReadOnlyDictionary<string, string>? attributes = null)
    {
        lock (_lock)
        {
            // Strictly increasing times, so "since" of a resumed stream never repeats or skips an event.
            long now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            _lastNano = Math.Max(now, _lastNano + 1);
            var row = new EventRow
            {
                Type = type, Action = action, ActorId = actorId, TimeNano = _lastNano,
                AttributesJson = JsonSerializer.Serialize(attributes ?? new Dictionary<string, string>()),
            };
            using (var db = state.Create())
            {
                db.Events.Add(row);
                db.SaveChanges();
                // The history is bounded: every 1,000 events, those older than the last 10,000 go.
                if (row.Id % 1000 == 0) db.Events.Where(e => e.Id <= row.Id - KeptEvents).ExecuteDelete();
            }
            foreach (var s in _subscribers) s.Writer.TryWrite(row);
            return row;
        }
    }

    /// <summary>Stored events from <paramref name="sinceNano"/> (null: none), then every new one until the subscription is
    /// disposed. The history is read under the publish lock, so the two parts neither overlap nor leave a gap.</summary>
    public Subscription Subscribe(long? sinceNano = null)
    {
        var channel = Channel.CreateUnbounded<EventRow>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            IReadOnlyList<EventRow> history = [];
            if (sinceNano is long since)
            {
                using var db = state.Create();
                history = db.Events.AsNoTracking().Where(e => e.TimeNano >= since).OrderBy(e => e.TimeNano).ToList();
            }
            _subscribers.Add(channel);
            return new Subscription(this, channel, history);
        }
    }

    private void Unsubscribe(Channel<EventRow> channel)
    {
        lock (_lock) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    /// <summary>History first, then live events. Dispose to stop receiving.</summary>
    public sealed class Subscription(EventHub hub, Channel<EventRow> channel, IReadOnlyList<EventRow> history) : IDisposable
    {
        public IReadOnlyList<EventRow> History { get; } = history;
        public ChannelReader<EventRow> Live => channel.Reader;
        public void Dispose() => hub.Unsubscribe(channel);
    }

    public static IReadOnlyDictionary<string, string> Attributes(EventRow row) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.AttributesJson) ?? [];
}
