using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Events;

namespace MyDocker.Engine.State;

/// <summary>The queries and changes <see cref="EventHub"/> makes to the Events table; rows are mapped by
/// <see cref="EventMapping"/>. Nothing outside State/ sees the row.</summary>
internal static class EventStore
{
    /// <summary>Stores <paramref name="e"/> (its time already stamped) and returns the row's id, which grows by one per event.</summary>
    public static long AddEvent(this StateDb db, EngineEvent e)
    {
        var row = EventMapping.ToEntity(e);
        db.Events.Add(row);
        db.SaveChanges();
        return row.Id;
    }

    /// <summary>Deletes the events whose row id is at most <paramref name="lastId"/>.</summary>
    public static void DeleteEventsUpTo(this StateDb db, long lastId) => db.Events.Where(r => r.Id <= lastId).ExecuteDelete();

    /// <summary>The stored events at or after <paramref name="sinceNano"/>, oldest first.</summary>
    public static List<EngineEvent> EventsSince(this StateDb db, long sinceNano) =>
        db.Events.AsNoTracking().Where(e => e.TimeNano >= sinceNano).OrderBy(e => e.TimeNano).AsEnumerable()
            .Select(EventMapping.ToEvent).ToList();
}
