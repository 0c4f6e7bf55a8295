using System.Text.Json;
using MyDocker.Engine.Events;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>GET /events sends Docker's event JSON (docker events and the e2e tests read it): container events also carry
/// the old status/id/from fields, other kinds do not.</summary>
public class EventMessageTests
{
    private static readonly Engine.Containers.Container Web = ContainerStore.ToContainer(new() { Id = "c1", Name = "web", Image = "busybox", ImageId = "" }, "n1");

    private static string Json(EngineEvent e) =>
        JsonSerializer.Serialize(EventEndpoints.ToMessage(e with { TimeNano = 1_764_000_000_123_456_789 }), ApiJsonContext.Default.EventMessage);

    [Fact]
    public void A_container_event_has_dockers_fields_and_the_old_ones()
    {
        Assert.Equal(
            """{"Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"name":"web","image":"busybox","exitCode":"137"}},"scope":"local","time":1764000000,"timeNano":1764000000123456789,"status":"die","id":"c1","from":"busybox"}""",
            Json(EngineEvents.ContainerDied(Web, 137)));
        Assert.Equal(
            """{"Type":"container","Action":"exec_start: sh -c true","Actor":{"ID":"c1","Attributes":{"name":"web","image":"busybox"}},"scope":"local","time":1764000000,"timeNano":1764000000123456789,"status":"exec_start: sh -c true","id":"c1","from":"busybox"}""",
            Json(EngineEvents.ExecStarted(Web, ["sh", "-c", "true"])));
    }

    [Fact]
    public void A_network_or_image_event_has_no_old_fields()
    {
        Assert.Equal(
            """{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"name":"front","container":"c1"}},"scope":"local","time":1764000000,"timeNano":1764000000123456789}""",
            Json(EngineEvents.NetworkConnected("n1", "front", "c1")));
        Assert.Equal(
            """{"Type":"image","Action":"load","Actor":{"ID":"i1","Attributes":{"name":"app:1"}},"scope":"local","time":1764000000,"timeNano":1764000000123456789}""",
            Json(EngineEvents.ImageLoaded("i1", "app:1")));
    }
}
