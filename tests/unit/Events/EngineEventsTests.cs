using MyDocker.Engine.Containers;
using MyDocker.Engine.Events;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.Events;

/// <summary>Every event the engine publishes is stored in Docker's words (the Events table's schema and history are
/// unchanged) and read back as the same typed event.</summary>
public class EngineEventsTests
{
    private static readonly Container Web = ContainerStore.ToContainer(new() { Id = "c1", Name = "web", Image = "busybox", ImageId = "" }, "n1");

    public static TheoryData<string, EngineEvent, string, string, string> Stored => new()
    {
        { "create", EngineEvents.ContainerCreated(Web), "container", "create", """{"name":"web","image":"busybox"}""" },
        { "start", EngineEvents.ContainerStarted(Web), "container", "start", """{"name":"web","image":"busybox"}""" },
        { "restart", EngineEvents.ContainerRestarted("c1"), "container", "restart", "{}" },
        { "kill", EngineEvents.ContainerKilled(Web, 15), "container", "kill", """{"name":"web","image":"busybox","signal":"15"}""" },
        { "die", EngineEvents.ContainerDied(Web, 137), "container", "die", """{"name":"web","image":"busybox","exitCode":"137"}""" },
        { "oom", EngineEvents.ContainerOutOfMemory(Web), "container", "oom", """{"name":"web","image":"busybox"}""" },
        { "stop", EngineEvents.ContainerStopped(Web), "container", "stop", """{"name":"web","image":"busybox"}""" },
        { "destroy", EngineEvents.ContainerDestroyed(Web), "container", "destroy", """{"name":"web","image":"busybox"}""" },
        { "orphan", EngineEvents.OrphanDestroyed("c2"), "container", "destroy", """{"orphan":"true"}""" },
        { "exec_create", EngineEvents.ExecCreated(Web, ["sh", "-c", "echo a: b"]), "container", "exec_create: sh -c echo a: b", """{"name":"web","image":"busybox"}""" },
        { "exec_start", EngineEvents.ExecStarted(Web, ["true"]), "container", "exec_start: true", """{"name":"web","image":"busybox"}""" },
        { "exec_die", EngineEvents.ExecDied(Web, "e1", 3), "container", "exec_die", """{"name":"web","image":"busybox","execID":"e1","exitCode":"3"}""" },
        { "network create", EngineEvents.NetworkCreated("n1", "front"), "network", "create", """{"name":"front","type":"bridge"}""" },
        { "network destroy", EngineEvents.NetworkDestroyed("n1", "front"), "network", "destroy", """{"name":"front","type":"bridge"}""" },
        { "connect", EngineEvents.NetworkConnected("n1", "front", "c1"), "network", "connect", """{"name":"front","container":"c1"}""" },
        { "disconnect", EngineEvents.NetworkDisconnected("n1", "front", "c1"), "network", "disconnect", """{"name":"front","container":"c1"}""" },
        { "import", EngineEvents.ImageImported("i1", "rootfs:v1"), "image", "import", """{"name":"rootfs:v1"}""" },
        { "load", EngineEvents.ImageLoaded("i1", "app:1"), "image", "load", """{"name":"app:1"}""" },
        { "untag", EngineEvents.ImageUntagged("i1", "app:1"), "image", "untag", """{"name":"app:1"}""" },
        { "delete", EngineEvents.ImageDeleted("i1", "app:2"), "image", "delete", """{"name":"app:2"}""" },
    };

    [Theory]
    [MemberData(nameof(Stored))]
    public void Each_event_is_stored_in_dockers_words_and_read_back_the_same(string _, EngineEvent published, string type, string action, string attributes)
    {
        var e = published with { TimeNano = 1_764_000_000_123_456_789 };
        var row = EventMapping.ToEntity(e);
        Assert.Equal((type, action, e.ActorId, attributes, e.TimeNano), (row.Type, row.Action, row.ActorId, row.AttributesJson, row.TimeNano));

        var back = EventMapping.ToEvent(row);
        Assert.Equal((e.Kind, e.Action, e.ActorId, e.Command, e.ExitCode, e.TimeNano), (back.Kind, back.Action, back.ActorId, back.Command, back.ExitCode, back.TimeNano));
        Assert.Equal(e.Attributes, back.Attributes);
    }

    [Fact]
    public void Exit_codes_are_typed_on_die_events_only()
    {
        Assert.Equal(137, EngineEvents.ContainerDied(Web, 137).ExitCode);
        Assert.Equal(3, EngineEvents.ExecDied(Web, "e1", 3).ExitCode);
        Assert.Null(EngineEvents.ContainerKilled(Web, 9).ExitCode);
        // A stored die read back carries its code as a number (ContainerService's wait reads it).
        var row = EventMapping.ToEntity(EngineEvents.ContainerDied(Web, 255));
        Assert.Equal(255, EventMapping.ToEvent(row).ExitCode);
    }

    [Theory]
    [InlineData("volume", "create", "unknown type 'volume'")]
    [InlineData("container", "pause", "unknown action 'pause'")]
    public void A_stored_row_in_words_the_engine_never_wrote_is_refused_by_its_id(string type, string action, string message)
    {
        var row = new EventEntity { Id = 42, Type = type, Action = action, ActorId = "c1" };
        var e = Assert.Throws<InvalidDataException>(() => EventMapping.ToEvent(row));
        Assert.Contains("event 42", e.Message);
        Assert.Contains(message, e.Message);
    }
}
