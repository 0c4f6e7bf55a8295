using System.Threading.Channels;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Events;

/// <summary>
/// The one stream of engine events (DESIGN.md §3): every change is stored (table Events, for history and the dashboard)
/// and fanned out to live subscribers. A subscriber gets the stored history and then the live events under one lock,
/// so no event is lost or doubled between the two. A subscriber that falls <see cref="SubscriberCapacity"/> events
/// behind is dropped (its stream ends with <see cref="SubscriberDroppedException"/>) rather than buffered without
/// bound: a client that stops reading `/events` must not grow the daemon's memory. A dropped reader resumes with
/// `since` = the last event it saw, from the stored history. Thread-safe.
/// </summary>
public sealed class EventHub(StateDbFactory state)
{
    /// <summary>How many past events the history keeps (Docker keeps 1,000, in memory only).</summary>
    public const int KeptEvents = 10_000;
    /// <summary>Events a live subscriber may have unread before it is dropped. Docker buffers 1,024 per subscriber and
    /// then drops events for it (moby pkg/pubsub); dropping the subscriber instead means no reader silently misses one.</summary>
    public const int SubscriberCapacity = 4_096;

    private readonly Lock _lock = new();
    private readonly List<Subscriber> _subscribers = [];
    private long _lastNano;

    /// <summary>Records and broadcasts an event (built by <see cref="EngineEvents"/>) and returns it with its time.
    /// Never waits for a subscriber: one whose queue is full is dropped.</summary>
    public EngineEvent Publish(EngineEvent e)
    {
        List<Subscriber>? dropped = null;
        lock (_lock)
        {
            // Strictly increasing times, so "since" of a resumed stream never repeats or skips an event.
            long now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            _lastNano = Math.Max(now, _lastNano + 1);
            e = e with { TimeNano = _lastNano };
            using (var db = state.Create())
            {
                long id = db.AddEvent(e);
                // The history is bounded: every 1,000 events, those older than the last 10,000 go.
                if (id % 1000 == 0) db.DeleteEventsUpTo(id - KeptEvents);
            }
            for (int i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (_subscribers[i].Channel.Writer.TryWrite(e)) continue;
                (dropped ??= []).Add(_subscribers[i]);
                _subscribers.RemoveAt(i);
            }
        }
        // Outside the lock: cancelling runs the readers' callbacks (an HTTP write being aborted) on this thread.
        foreach (var s in dropped ?? []) s.Drop();
        return e;
    }

    /// <summary>Stored events from <paramref name="sinceNano"/> (null: none), then every new one until the subscription is
    /// disposed or dropped. The history is read under the publish lock, so the two parts neither overlap nor leave a gap.</summary>
    public Subscription Subscribe(long? sinceNano = null)
    {
        var subscriber = new Subscriber();
        lock (_lock)
        {
            IReadOnlyList<EngineEvent> history = [];
            if (sinceNano is long since)
            {
                using var db = state.Create();
                history = db.EventsSince(since);
            }
            _subscribers.Add(subscriber);
            return new Subscription(this, subscriber, history);
        }
    }

    /// <summary>Live subscribers now (for tests and diagnostics).</summary>
    public int SubscriberCount { get { lock (_lock) return _subscribers.Count; } }

    private void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock) _subscribers.Remove(subscriber);
        subscriber.Channel.Writer.TryComplete();
    }

    internal sealed class Subscriber
    {
        public Channel<EngineEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<EngineEvent>(
            new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        /// <summary>Never disposed: it has no timer or wait handle, and a reader may still hold its token.</summary>
        public CancellationTokenSource Dropped { get; } = new();

        /// <summary>Ends the stream with the reason, then tells a reader stuck elsewhere (a write to its client).</summary>
        public void Drop()
        {
            Channel.Writer.TryComplete(new SubscriberDroppedException());
            Dropped.Cancel();
        }
    }

    /// <summary>History first, then live events. Dispose to stop receiving.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Subscriber _subscriber;

        internal Subscription(EventHub hub, Subscriber subscriber, IReadOnlyList<EngineEvent> history)
        {
            _hub = hub;
            _subscriber = subscriber;
            History = history;
            Dropped = subscriber.Dropped.Token;
        }

        public IReadOnlyList<EngineEvent> History { get; }
        /// <summary>Ends (reads throw <see cref="SubscriberDroppedException"/>) if the subscriber fell too far behind.</summary>
        public ChannelReader<EngineEvent> Live => _subscriber.Channel.Reader;
        /// <summary>Fires when the subscriber is dropped, so a reader waiting on something else (its client) stops too.</summary>
        public CancellationToken Dropped { get; }

        public void Dispose() => _hub.Unsubscribe(_subscriber);
    }
}

/// <summary>The subscriber left <see cref="EventHub.SubscriberCapacity"/> events unread and was dropped.</summary>
public sealed class SubscriberDroppedException()
    : Exception($"the event stream was ended: its reader left {EventHub.SubscriberCapacity} events unread; reconnect with since= the last event's time");
