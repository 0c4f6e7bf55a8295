using Bunit;
using MyDocker.Web.Dashboard.Components.Pages;
using MyDocker.Web.Dashboard.Live;

namespace MyDocker.UnitTests.Dashboard;

public class NetworksPageTests : DashboardTestContext
{
    [Fact]
    public void The_table_follows_engine_events_and_shows_the_feed_is_live()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("first", "10.1.0.0/24"));
        var cut = Render<MyDocker.Web.Dashboard.Components.Pages.Networks>();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("first", cut.Find("[data-testid=networks]").TextContent);
            Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim());
        });

        // A change made elsewhere (the CLI): the list changes, then its event arrives through the channel.
        var second = FakeDashboardEngine.Row("second", "10.2.0.0/24");
        Engine.Networks.Add(second);
        Engine.Publish("network", "create", second.Id, "second");
        cut.WaitForAssertion(() => Assert.Contains("second", cut.Find("[data-testid=networks]").TextContent));

        // A container joining changes the count: the row is reloaded on the container's create event.
        Engine.Networks[0] = Engine.Networks[0] with { Containers = 3, Used = 3, Free = 250 };
        Engine.Publish("container", "create", "c1", "c1");
        cut.WaitForAssertion(() => Assert.Contains("3 / 250", cut.Find("[data-testid=networks]").TextContent));

        Engine.Networks.RemoveAll(n => n.Name == "second");
        Engine.Publish("network", "destroy", second.Id, "second");
        cut.WaitForAssertion(() => Assert.DoesNotContain("second", cut.Find("[data-testid=networks]").TextContent));
    }

    [Fact]
    public void A_broken_stream_shows_reconnecting()
    {
        var cut = Render<MyDocker.Web.Dashboard.Components.Pages.Networks>();
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        Engine.Events.Writer.Complete();
        cut.WaitForAssertion(() => Assert.Equal("reconnecting…", cut.Find("[data-testid=connection]").TextContent.Trim()));
    }
}

public class EventFeedTests
{
    [Fact]
    public async Task History_comes_first_then_a_burst_arrives_as_one_batch()
    {
        var engine = new FakeDashboardEngine();
        engine.History.Add(engine.Event("network", "create", "n1", "a"));
        var batches = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<string>>();
        await using var feed = new EventFeed(engine, TimeSpan.Zero);
        // Three events written before the feed starts are read in one go, like a burst within the window.
        engine.Publish("container", "create", "c1", "x");
        engine.Publish("container", "start", "c1", "x");
        engine.Publish("container", "die", "c1", "x");
        feed.Start(0, b => batches.Writer.WriteAsync(b.Select(e => e.Action).ToList()).AsTask());
        Assert.Equal(["create"], await batches.Reader.ReadAsync());
        Assert.Equal(["create", "start", "die"], await batches.Reader.ReadAsync());
        Assert.Equal(FeedState.Live, feed.State);
    }
}

public class NetworkDetailTests : DashboardTestContext
{
    [Fact]
    public void Shows_the_leases_with_container_names_and_follows_events()
    {
        var net = FakeDashboardEngine.Row("web", "10.1.0.0/24");
        Engine.Networks.Add(net);
        var cut = Render<NetworkDetail>(p => p.Add(x => x.IdOrName, "web"));
        cut.WaitForAssertion(() => Assert.Contains("No container is connected", cut.Find("[data-testid=leases]").TextContent));

        Engine.Networks[0] = net with { Leases = [new MyDocker.Web.Dashboard.LeaseRow(new string('a', 64), "10.1.0.2", DateTimeOffset.UnixEpoch) { OwnerName = "app" }] };
        Engine.Publish("network", "connect", net.Id, "web");
        cut.WaitForAssertion(() =>
        {
            var text = cut.Find("[data-testid=leases]").TextContent;
            Assert.Contains("app", text);
            Assert.Contains("10.1.0.2", text);
        });

        Engine.Networks.Clear();
        Engine.Publish("network", "destroy", net.Id, "web");
        cut.WaitForAssertion(() => Assert.Contains("network 'web' not found", cut.Find("[data-testid=detail-error]").TextContent));
    }
}
