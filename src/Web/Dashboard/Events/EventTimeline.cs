using MyDocker.Engine.Events;
using MyDocker.Engine.State;

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

    public void Add(IReadOnlyList<EventRow> batch)
    {
        foreach (var row in batch)
        {
            var attrs = EventHub.Attributes(row);
            attrs.TryGetValue("name", out var name);
            string details = string.Join(", ", attrs.Where(a => a.Key != "name").Select(a => $"{a.Key}={a.Value}"));
            _entries.Insert(0, new TimelineEntry(row.TimeNano, row.Type, row.Action, row.ActorId.Length > 12 ? row.ActorId[..12] : row.ActorId, name ?? "", details));
        }
        if (_entries.Count > Kept) _entries.RemoveRange(Kept, _entries.Count - Kept);
    }
}
