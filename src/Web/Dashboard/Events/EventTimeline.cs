using MyDocker.Engine.Events;

namespace MyDocker.Web.Dashboard.Events;

/// <summary>An event as the timeline shows it.</summary>
public sealed record TimelineEntry(long TimeNano, string Type, string Action, string Actor, string Name, string Details)
{
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks(TimeNano / 100);
}

/// <summary>The events page's state: newest first, at most <see cref="Kept"/>, filterable by type. Not thread-safe.</summary>
public sealed class EventTimeline
{
    public const int Kept = 2_000;
    private readonly List<TimelineEntry> _entries = [];

    /// <summary>"" for all, else "container", "network" or "image".</summary>
    public string TypeFilter { get; set; } = "";

    public IEnumerable<TimelineEntry> Visible => TypeFilter.Length == 0 ? _entries : _entries.Where(e => e.Type == TypeFilter);
    public int Count => _entries.Count;

    public void Add(IReadOnlyList<EngineEvent> batch)
    {
        foreach (var e in batch)
        {
            string details = string.Join(", ", e.Attributes.Where(a => a.Key != EventWords.NameAttribute).Select(a => $"{a.Key}={a.Value}"));
            _entries.Insert(0, new TimelineEntry(e.TimeNano, EventWords.Of(e.Kind), EventWords.Action(e),
                e.ActorId.Length > 12 ? e.ActorId[..12] : e.ActorId, e.Name ?? "", details));
        }
        if (_entries.Count > Kept) _entries.RemoveRange(Kept, _entries.Count - Kept);
    }
}
