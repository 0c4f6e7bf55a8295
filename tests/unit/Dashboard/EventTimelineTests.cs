using MyDocker.Web.Dashboard.Events;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class EventTimelineTests
{
    [Fact]
    public void Newest_first_filtered_by_type_and_bounded()
    {
        var engine = new FakeDashboardEngine();
        var t = new EventTimeline();
        t.Add([engine.Event(EngineEvents.NetworkCreated("n1", "a")), engine.Event(EngineEvents.ContainerStarted(FakeDashboardEngine.Actor("c1", "web")))]);
        t.Add([engine.Event(EngineEvents.NetworkDestroyed("n1", "a"))]);
        Assert.Equal(["destroy", "start", "create"], t.Visible.Select(e => e.Action));
        Assert.Equal("web", t.Visible.Single(e => e.Type == "container").Name);
        t.TypeFilter = "network";
        Assert.Equal(["destroy", "create"], t.Visible.Select(e => e.Action));
        t.Add(Enumerable.Range(0, EventTimeline.Kept + 5).Select(i => engine.Event(EngineEvents.ImageLoaded("i", "x"))).ToList());
        Assert.Equal(EventTimeline.Kept, t.Count);
    }
}
