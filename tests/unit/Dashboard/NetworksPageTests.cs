using Bunit;
using MyDocker.Web.Dashboard.Networks;
using MyDocker.Web.Dashboard.Live;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class NetworksPageTests : DashboardTestContext
{
    [Fact]
    public void The_table_follows_engine_events_and_shows_the_feed_is_live()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("first", "10.1.0.0/24"));
        var cut = Render<NetworkList>();
        cut.WaitForAssertion(() =>
        {
            Assert.Contains("first", cut.Find("[data-testid=networks]").TextContent);
            Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim());
        });

        // A change made elsewhere (the CLI): the list changes, then its event arrives through the channel.
        var second = FakeDashboardEngine.Row("second", "10.2.0.0/24");
        Engine.Networks.Add(second);
        Engine.Publish(EngineEvents.NetworkCreated(second.Id, "second"));
        cut.WaitForAssertion(() => Assert.Contains("second", cut.Find("[data-testid=networks]").TextContent));

        // A container joining changes the count: the row is reloaded on the container's create event.
        Engine.Networks[0] = Engine.Networks[0] with { Containers = 3, Used = 3, Free = 250 };
        Engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor("c1", "c1")));
        cut.WaitForAssertion(() => Assert.Contains("3 / 250", cut.Find("[data-testid=networks]").TextContent));

        Engine.Networks.RemoveAll(n => n.Name == "second");
        Engine.Publish(EngineEvents.NetworkDestroyed(second.Id, "second"));
        cut.WaitForAssertion(() => Assert.DoesNotContain("second", cut.Find("[data-testid=networks]").TextContent));
    }

    [Fact]
    public void A_broken_stream_shows_reconnecting()
    {
        var cut = Render<NetworkList>();
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        Engine.Events.Writer.Complete();
        cut.WaitForAssertion(() => Assert.Equal("reconnecting…", cut.Find("[data-testid=connection]").TextContent.Trim()));
    }

    [Fact]
    public void Back_from_a_broken_stream_the_page_reads_everything_again()
    {
        var cut = Render<NetworkList>();
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        Engine.Events.Writer.Complete();
        cut.WaitForAssertion(() => Assert.Equal("reconnecting…", cut.Find("[data-testid=connection]").TextContent.Trim()));

        // Made while the page was not listening: no event of it reaches the page.
        Engine.Networks.Add(FakeDashboardEngine.Row("missed", "10.7.0.0/24"));
        Engine.Events = System.Threading.Channels.Channel.CreateUnbounded<MyDocker.Engine.Events.EngineEvent>();
        Clock.Advance(TimeSpan.FromSeconds(1)); // the feed's pause before it subscribes again
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim());
            Assert.Contains("missed", cut.Find("[data-testid=networks]").TextContent);
        });
    }
}

public class EventFeedTests
{
    [Fact]
    public async Task History_comes_first_then_a_burst_arrives_as_one_batch()
    {
        var engine = new FakeDashboardEngine();
        engine.History.Add(engine.Event(EngineEvents.NetworkCreated("n1", "a")));
        var batches = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<string>>();
        await using var feed = new EventFeed(engine, TimeSpan.Zero);
        // Three events written before the feed starts are read in one go, like a burst within the window.
        engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor("c1", "x")));
        engine.Publish(EngineEvents.ContainerStarted(FakeDashboardEngine.Actor("c1", "x")));
        engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor("c1", "x"), 0));
        feed.Start(0, b => batches.Writer.WriteAsync(b.Select(EventWords.Action).ToList()).AsTask());
        Assert.Equal(["create"], await batches.Reader.ReadAsync());
        Assert.Equal(["create", "start", "die"], await batches.Reader.ReadAsync());
        Assert.Equal(FeedState.Live, feed.State);
    }

    [Fact]
    public async Task A_lone_event_goes_out_at_once_and_what_follows_within_the_window_goes_out_together()
    {
        var engine = new FakeDashboardEngine();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var batches = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<string>>();
        await using var feed = new EventFeed(engine, TimeSpan.FromMilliseconds(100), time);
        feed.Start(null, b => batches.Writer.WriteAsync(b.Select(e => e.ActorId).ToList()).AsTask());
        Assert.Empty(await Next(batches)); // the (empty) history

        // No fake time passes: a first event is not held back by the window.
        engine.Publish(EngineEvents.NetworkCreated("e1", "a"));
        Assert.Equal(["e1"], await Next(batches));

        // Within the window of that batch: held until the window ends, then handed over together.
        engine.Publish(EngineEvents.NetworkCreated("e2", "b"));
        engine.Publish(EngineEvents.NetworkCreated("e3", "c"));
        IReadOnlyList<string>? next;
        var waited = TimeSpan.Zero;
        while (!batches.Reader.TryRead(out next))
        {
            await Task.Delay(5);
            time.Advance(TimeSpan.FromMilliseconds(10));
            waited += TimeSpan.FromMilliseconds(10);
            Assert.True(waited < TimeSpan.FromSeconds(5), "the held batch never came");
        }
        Assert.Equal(["e2", "e3"], next);

        // After a quiet window, at once again.
        time.Advance(TimeSpan.FromSeconds(1));
        engine.Publish(EngineEvents.NetworkDestroyed("e4", "d"));
        Assert.Equal(["e4"], await Next(batches));
    }

    /// <summary>The next batch; fails rather than hangs when the feed holds it back.</summary>
    private static async Task<IReadOnlyList<string>> Next(System.Threading.Channels.Channel<IReadOnlyList<string>> batches) =>
        await batches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
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
        Engine.Publish(EngineEvents.NetworkConnected(net.Id, "web", "c1"));
        cut.WaitForAssertion(() =>
        {
            var text = cut.Find("[data-testid=leases]").TextContent;
            Assert.Contains("app", text);
            Assert.Contains("10.1.0.2", text);
        });

        Engine.Networks.Clear();
        Engine.Publish(EngineEvents.NetworkDestroyed(net.Id, "web"));
        cut.WaitForAssertion(() => Assert.Contains("network 'web' not found", cut.Find("[data-testid=detail-error]").TextContent));
    }

    [Fact]
    public void Shows_the_mac_and_the_plumbing_read_from_the_kernel_and_reads_again_on_demand()
    {
        string id = new('b', 64);
        var net = FakeDashboardEngine.Row("web", "10.1.0.0/24") with
        {
            Leases = [new MyDocker.Web.Dashboard.LeaseRow(id, "10.1.0.2", DateTimeOffset.UnixEpoch) { OwnerName = "app", Mac = "02:42:0a:01:00:02" }],
        };
        Engine.Networks.Add(net);
        Engine.Plumbing["web"] = new MyDocker.Web.Dashboard.PlumbingRow(
            new MyDocker.Engine.Networks.NetworkPlumbing(
                new MyDocker.Engine.Networks.PlumbingLink("md-web", 7, "bridge", true, "mydocker:net:x"), ["10.1.0.1/24"],
                [new MyDocker.Engine.Networks.PlumbingLink("mdvbbbbbbbbbbbb", 9, "veth", true, "mydocker:ctr:" + id, id),
                 new MyDocker.Engine.Networks.PlumbingLink("stray0", 10, "dummy", false, null)],
                ["bridges: \"md-web\"", "masq_bridges: \"md-web\""], ["postrouting: iifname @masq_bridges oifname != @bridges masquerade"]),
            new Dictionary<string, string> { [id] = "app" });
        var cut = Render<NetworkDetail>(p => p.Add(x => x.IdOrName, "web"));
        cut.WaitForAssertion(() => Assert.Contains("02:42:0a:01:00:02", cut.Find("[data-testid=leases]").TextContent));
        Assert.Contains("md-web (index 7, up, 10.1.0.1/24, alias mydocker:net:x)", cut.Find("[data-testid=plumbing-bridge]").TextContent);
        var ports = cut.Find("[data-testid=plumbing-ports]").TextContent;
        Assert.Contains("mdvbbbbbbbbbbbb", ports);
        Assert.Contains("app", ports);
        Assert.Contains("not the engine's", ports);
        var nft = cut.Find("[data-testid=plumbing-nft]").TextContent;
        Assert.Contains("element masq_bridges: \"md-web\"", nft);
        Assert.Contains("rule    postrouting: iifname @masq_bridges", nft);

        // Drift made behind the engine's back (no event): shown once the user reads again.
        Engine.Plumbing["web"] = Engine.Plumbing["web"] with { Kernel = Engine.Plumbing["web"].Kernel with { Bridge = null, FirewallElements = [] } };
        cut.FindAll("button").Single(b => b.TextContent.Contains("Read again")).Click();
        cut.WaitForAssertion(() => Assert.Contains("is missing", cut.Find("[data-testid=plumbing-bridge]").TextContent));
        Assert.Contains("No element names this bridge", cut.Find("[data-testid=plumbing]").TextContent);
    }
}
