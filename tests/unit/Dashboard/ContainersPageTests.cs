using AngleSharp.Dom;
using Bunit;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class ContainersPageTests : DashboardTestContext
{
    private IRenderedComponent<ContainerList> RenderLive()
    {
        var cut = Render<ContainerList>();
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        return cut;
    }

    private static IElement Row(IRenderedComponent<ContainerList> cut, string name) => cut.Find($"tr[data-container='{name}']");
    private static List<string> Names(IRenderedComponent<ContainerList> cut) =>
        cut.FindAll("tr[data-container]").Select(r => r.GetAttribute("data-container")!).ToList();
    private static IElement Button(IRenderedComponent<ContainerList> cut, string accessibleName) =>
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == accessibleName);

    private void Seed()
    {
        Engine.Containers.Add(FakeDashboardEngine.Container("web", ports: [new PortRow("tcp", "0.0.0.0", 8080, 80), new PortRow("udp", "127.0.0.1", 5353, 53)]));
        Engine.Containers.Add(FakeDashboardEngine.Container("db", "exited", image: "postgres:16", exitCode: 137, ip: "172.17.0.3"));
        Engine.Containers.Add(FakeDashboardEngine.Container("job", "created", ip: "10.9.0.4"));
    }

    [Fact]
    public void The_table_shows_every_column_and_the_filters_narrow_it()
    {
        Seed();
        var cut = RenderLive();
        Assert.Equal(["job", "db", "web"], Names(cut)); // newest first
        var web = Row(cut, "web");
        Assert.Equal("/containers/web", web.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("running", web.QuerySelector("[data-testid=state]")!.TextContent);
        Assert.Contains("172.17.0.2", web.TextContent);
        Assert.Contains("bridge", web.TextContent);
        // A TCP port bound to every address is a link to loopback; UDP is no link.
        var links = web.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("http://127.0.0.1:8080", links);
        // H4: no port link goes to the host the dashboard's cookie belongs to (cookies ignore ports).
        var portLink = Assert.Single(links, l => l!.StartsWith("http:"));
        Assert.NotEqual(Site.CookieHost, new Uri(portLink!).Host);
        Assert.DoesNotContain(links, l => l!.Contains("5353"));
        Assert.Contains("127.0.0.1:5353", web.TextContent);
        Assert.Contains("1970-01-01", web.TextContent);
        Assert.Equal("—", web.QuerySelector("[data-testid=exit-code]")!.TextContent);
        Assert.Equal("137", Row(cut, "db").QuerySelector("[data-testid=exit-code]")!.TextContent);
        // Running: stop, restart, remove; stopped: start, remove.
        Assert.NotNull(Button(cut, "Stop web"));
        Assert.NotNull(Button(cut, "Restart web"));
        Assert.NotNull(Button(cut, "Start db"));
        Assert.Empty(cut.FindAll("button[aria-label='Stop db']"));

        cut.Find("input").Input("postgres");
        cut.WaitForAssertion(() => Assert.Equal(["db"], Names(cut)));
        cut.Find("input").Input("10.9.");
        cut.WaitForAssertion(() => Assert.Equal(["job"], Names(cut)));
        cut.Find("input").Input("nothing-like-it");
        cut.WaitForAssertion(() => Assert.Contains("No container matches the filter", cut.Find("[data-testid=containers]").TextContent));
        cut.Find("input").Input("");

        StateButton(cut, "exited").Click();
        Assert.Equal(["db"], Names(cut));
        Assert.Equal("true", StateButton(cut, "exited").GetAttribute("aria-pressed"));
        StateButton(cut, "running").Click();
        Assert.Equal(["web"], Names(cut));
        StateButton(cut, "created").Click();
        Assert.Equal(["job"], Names(cut));
        StateButton(cut, "all").Click();
        Assert.Equal(3, Names(cut).Count);
        Assert.Contains("running (1)", cut.Find("[data-testid=state-filter]").TextContent);
    }

    private static IElement StateButton(IRenderedComponent<ContainerList> cut, string state) =>
        cut.FindAll("[data-testid=state-filter] button").Single(b => b.TextContent.StartsWith(state + " "));

    [Fact]
    public void Engine_events_change_add_and_remove_rows_without_reload()
    {
        Seed();
        var cut = RenderLive();
        // A change made elsewhere (the CLI): the engine's state changes, then its event arrives through the channel.
        var web = Engine.SetState("web", "exited", 137);
        Engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor(web.Id, "web"), 0));
        cut.WaitForAssertion(() => Assert.Equal("exited", Row(cut, "web").QuerySelector("[data-testid=state]")!.TextContent));
        Assert.Equal("137", Row(cut, "web").QuerySelector("[data-testid=exit-code]")!.TextContent);
        Assert.NotNull(Button(cut, "Start web"));

        var added = FakeDashboardEngine.Container("api");
        Engine.Containers.Add(added);
        Engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor(added.Id, "api")));
        cut.WaitForAssertion(() => Assert.Equal("api", Names(cut)[0]));

        string dbId = Engine.Containers.Single(c => c.Name == "db").Id;
        Engine.Containers.RemoveAll(c => c.Name == "db");
        Engine.Publish(EngineEvents.ContainerDestroyed(FakeDashboardEngine.Actor(dbId, "db")));
        cut.WaitForAssertion(() => Assert.DoesNotContain("db", Names(cut)));
    }

    [Fact]
    public void Stopping_stays_until_the_engine_event_confirms_the_exit()
    {
        Seed();
        Engine.Manual = true;
        var cut = RenderLive();
        string id = Engine.Containers.Single(c => c.Name == "web").Id;
        Button(cut, "Stop web").Click();
        ConfirmDialog("Stop container 'web'?", "Stop");

        // The call has returned (the fake answers at once), yet no event came: the button still waits.
        cut.WaitForAssertion(() => Assert.Contains("stop " + id, Engine.Calls));
        cut.WaitForAssertion(() =>
        {
            var b = Button(cut, "Stopping… web");
            Assert.True(b.HasAttribute("disabled"));
            Assert.True(Button(cut, "Restart web").HasAttribute("disabled"));
            Assert.True(Button(cut, "Remove web").HasAttribute("disabled"));
        });
        // An event that does not confirm the exit (the stop's SIGTERM) changes nothing; another container's neither.
        Engine.Publish(EngineEvents.ContainerKilled(FakeDashboardEngine.Actor(id, "web"), 15));
        var db = Engine.Containers.Single(c => c.Name == "db");
        Engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor(db.Id, "db"), 0));
        Engine.Publish(EngineEvents.NetworkCreated("n1", "n1"));
        // Events are handled in order: once a later container's row shows, the ones before it have been handled too.
        var marker = FakeDashboardEngine.Container("marker");
        Engine.Containers.Add(marker);
        Engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor(marker.Id, "marker")));
        cut.WaitForAssertion(() => Assert.Contains("marker", Names(cut)));
        Assert.NotNull(Button(cut, "Stopping… web"));
        Assert.Equal("running", Row(cut, "web").QuerySelector("[data-testid=state]")!.TextContent);

        Engine.SetState("web", "exited", 143);
        Engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor(id, "web"), 0));
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("exited", Row(cut, "web").QuerySelector("[data-testid=state]")!.TextContent);
            Assert.False(Button(cut, "Start web").HasAttribute("disabled"));
        });
        Assert.Empty(cut.FindAll("button[aria-label='Stopping… web']"));
    }

    [Fact]
    public void Remove_asks_first_and_cancel_does_nothing_while_start_asks_nothing()
    {
        Seed();
        var cut = RenderLive();
        string webId = Engine.Containers.Single(c => c.Name == "web").Id, dbId = Engine.Containers.Single(c => c.Name == "db").Id;
        Button(cut, "Remove web").Click();
        ConfirmDialog("Container 'web' is running. Kill it and remove it", "Cancel");
        cut.WaitForAssertion(() => Assert.DoesNotContain("Kill it", DialogProvider.Markup));
        Assert.Empty(Engine.Calls);
        Assert.Contains("web", Names(cut));

        // Start loses nothing: no question.
        Button(cut, "Start db").Click();
        cut.WaitForAssertion(() => Assert.Equal("running", Row(cut, "db").QuerySelector("[data-testid=state]")!.TextContent));
        Assert.Equal(["start " + dbId], Engine.Calls);

        Button(cut, "Remove web").Click();
        ConfirmDialog("Kill it", "Remove");
        cut.WaitForAssertion(() => Assert.DoesNotContain("web", Names(cut)));
        Assert.Equal("remove " + webId, Engine.Calls[^1]);
    }

    [Fact]
    public void A_failed_action_says_why_in_plain_words_and_frees_the_buttons()
    {
        Seed();
        Engine.StartError = "exec: \"nope\": executable file not found in $PATH";
        var cut = RenderLive();
        Button(cut, "Start db").Click();
        cut.WaitForAssertion(() => Assert.Equal(
            "Could not start container 'db': exec: \"nope\": executable file not found in $PATH", cut.Find("[data-testid=action-error]").TextContent.Trim()));
        Assert.False(Button(cut, "Start db").HasAttribute("disabled"));
    }
}

public class ContainerFeedTests
{
    [Fact]
    public async Task Events_the_page_does_not_show_neither_reach_it_nor_hold_back_the_next()
    {
        var engine = new FakeDashboardEngine();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var batches = System.Threading.Channels.Channel.CreateUnbounded<IReadOnlyList<string>>();
        await using var feed = new MyDocker.Web.Dashboard.Live.EventFeed(engine, TimeSpan.FromMilliseconds(100), time, MyDocker.Web.Dashboard.Live.DashboardEvents.ChangesContainer);
        feed.Start(null, b => batches.Writer.WriteAsync(b.Select(EventWords.Action).ToList()).AsTask());
        Assert.Empty(await Next(batches)); // the (empty) history

        // A stop: "kill" first (dropped, opens no window), then "die", handed over at once: no fake time passes, so had the
        // kill opened a window, the die would wait for ever and Next would fail.
        engine.Publish(EngineEvents.ContainerKilled(FakeDashboardEngine.Actor("c1", "web"), 15));
        engine.Publish(EngineEvents.NetworkCreated("n1", "net"));
        engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor("c1", "web"), 0));
        Assert.Equal(["die"], await Next(batches));
    }

    private static async Task<IReadOnlyList<string>> Next(System.Threading.Channels.Channel<IReadOnlyList<string>> batches) =>
        await batches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
}
