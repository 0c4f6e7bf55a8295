using MyDocker.Engine.Events;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Events;

/// <summary>A subscriber that stops reading is dropped after a bound instead of buffering every event for ever.</summary>
public sealed class EventHubTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-events-").FullName;
    private readonly EventHub _hub;

    public EventHubTests()
    {
        var state = MigratedDatabase.CopyTo(Path.Combine(_dir, "mydocker.db"));
        _hub = new EventHub(state);
    }

    private static readonly EngineEvent Exec = EngineEvents.ExecCreated(
        ContainerStore.ToContainer(new ContainerEntity { Id = "c1", Name = "web", Image = "busybox", ImageId = "" }, ""), ["true"]);

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_dropped_one_that_reads_is_not()
    {
        using var stalled = _hub.Subscribe();
        using var reading = _hub.Subscribe();
        int seen = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var _ in reading.Live.ReadAllAsync()) seen++;
        });
        for (int i = 0; i < EventHub.SubscriberCapacity; i++)
        {
            _hub.Publish(Exec);
            // The reading subscriber keeps up (a real reader is never thousands of events behind).
            if (i % 512 == 0) while (Volatile.Read(ref seen) < i) await Task.Delay(1);
        }
        Assert.False(stalled.Dropped.IsCancellationRequested); // full, not over
        Assert.Equal(2, _hub.SubscriberCount);

        _hub.Publish(Exec);
        Assert.True(stalled.Dropped.IsCancellationRequested);
        Assert.Equal(1, _hub.SubscriberCount);
        // What was queued can still be read, then the stream ends with the reason.
        int queued = 0;
        var ex = await Assert.ThrowsAsync<SubscriberDroppedException>(async () =>
        {
            await foreach (var _ in stalled.Live.ReadAllAsync()) queued++;
        });
        Assert.Equal(EventHub.SubscriberCapacity, queued);
        Assert.Contains("reconnect with since=", ex.Message);
        Assert.False(reading.Dropped.IsCancellationRequested);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
