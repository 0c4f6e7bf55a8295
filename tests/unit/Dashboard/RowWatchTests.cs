using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using MyDocker.Engine;
using MyDocker.Engine.Events;
using MyDocker.Web.Dashboard;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Web.Dashboard.Live;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The client side of the dashboard's watches: which engine events become which row changes.</summary>
public class RowWatchTests
{
    private readonly FakeDashboardEngine _engine = new();
    /// <summary>Every read by id, in order.</summary>
    private readonly List<string> _reads = [];
    private int _lists;

    private RowWatch<ContainerRow> Containers() => new(
        () => _engine.SubscribeEvents(null), DashboardEvents.ChangesContainer,
        ct => { _lists++; return _engine.ListContainersAsync(ct); }, r => r.Id,
        (id, ct) => { _reads.Add(id); return _engine.GetContainerAsync(id, ct); });

    private static string Show(Change<ContainerRow> c) =>
        $"{c.Kind} {c.Row?.Name ?? c.Id} {c.Row?.State} [{string.Join(",", c.Actions.Select(a => EventWords.Of(a)))}]".Replace("  ", " ");

    private ContainerRow Add(string name, string state = "running")
    {
        var row = FakeDashboardEngine.Container(name, state);
        _engine.Containers.Add(row);
        return row;
    }

    [Fact]
    public async Task An_event_for_a_container_upserts_the_row_as_read_again()
    {
        var web = Add("web");
        var known = new HashSet<string> { web.Id };
        _engine.SetState("web", "exited", 137);
        var changes = await Containers().ChangesOfAsync([Die(web)], known, default);
        Assert.Equal(["Upsert web exited [die]"], changes.Select(Show));
        Assert.Same(_engine.Containers.Single(), changes[0].Row);
        Assert.Equal([web.Id], _reads);
    }

    [Fact]
    public async Task A_destroyed_container_is_removed_without_a_read_failing_the_batch()
    {
        var web = Add("web");
        var known = new HashSet<string> { web.Id };
        _engine.Containers.Clear();
        var changes = await Containers().ChangesOfAsync([_engine.Event(EngineEvents.ContainerDestroyed(FakeDashboardEngine.Actor(web.Id, "web")))], known, default);
        Assert.Equal([$"Remove {web.Id} [destroy]"], changes.Select(Show));
        Assert.Empty(known);
    }

    [Fact]
    public async Task A_container_gone_before_its_event_is_read_is_removed()
    {
        // Its "die" came, but it was removed before the re-read: NotFound means gone, whatever the event said.
        var web = Add("web");
        var known = new HashSet<string> { web.Id };
        _engine.Containers.Clear();
        var changes = await Containers().ChangesOfAsync([Die(web)], known, default);
        Assert.Equal([$"Remove {web.Id} [die]"], changes.Select(Show));
    }

    [Fact]
    public async Task A_read_that_fails_otherwise_ends_the_changes_with_its_error()
    {
        var web = Add("web");
        var watch = new RowWatch<ContainerRow>(() => _engine.SubscribeEvents(null), DashboardEvents.ChangesContainer, _engine.ListContainersAsync, r => r.Id,
            (id, ct) => throw EngineException.Conflict("the state database is locked"));
        var e = await Assert.ThrowsAsync<EngineException>(() => watch.ChangesOfAsync([Die(web)], [web.Id], default));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
    }

    [Fact]
    public async Task A_burst_is_one_batch_that_reads_each_container_once()
    {
        var web = Add("web");
        var sub = await Containers().StartAsync(TimeSpan.FromMilliseconds(100), new FakeTimeProvider(), default);
        Assert.Equal(["web"], sub.Initial.Select(r => r.Name));

        // Written before the changes are read: one burst, as within one window.
        var api = Add("api", "created");
        _engine.Publish(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor(api.Id, "api")));
        _engine.Publish(EngineEvents.ContainerKilled(FakeDashboardEngine.Actor(web.Id, "web"), 15)); // changes no row
        _engine.SetState("api", "running");
        _engine.Publish(EngineEvents.ContainerStarted(FakeDashboardEngine.Actor(api.Id, "api")));
        _engine.SetState("web", "exited", 143);
        _engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor(web.Id, "web"), 143));

        await using var changes = sub.Changes.GetAsyncEnumerator();
        Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(["Upsert api running [create,start]", "Upsert web exited [die]"], changes.Current.Select(Show));
        Assert.Equal([api.Id, web.Id], _reads);
        Assert.Equal(1, _lists); // the snapshot's only
    }

    [Fact]
    public async Task More_containers_in_a_batch_than_reads_are_worth_is_one_list_read()
    {
        var rows = Enumerable.Range(0, RowWatch<ContainerRow>.ReadEachUpTo + 1).Select(i => Add("c" + i)).ToList();
        var known = rows.Select(r => r.Id).ToHashSet();
        string gone = rows[0].Id;
        _engine.Containers.RemoveAt(0);
        var changes = await Containers().ChangesOfAsync(rows.Select(Die).ToList(), known, default);
        Assert.Empty(_reads);
        Assert.Equal(1, _lists);
        Assert.Equal($"Remove {gone} [die]", Show(changes[0]));
        Assert.Equal(RowWatch<ContainerRow>.ReadEachUpTo, changes.Count(c => c.Kind == ChangeKind.Upsert));
        Assert.DoesNotContain(gone, known);
    }

    [Fact]
    public async Task Networks_are_listed_again_on_a_container_create_and_a_network_gone_is_removed()
    {
        var first = FakeDashboardEngine.Row("first", "10.1.0.0/24");
        var second = FakeDashboardEngine.Row("second", "10.2.0.0/24");
        _engine.Networks.AddRange([first, second]);
        var watch = new RowWatch<NetworkRow>(() => _engine.SubscribeEvents(null), DashboardEvents.ChangesNetworkList, _engine.ListNetworksAsync, r => r.Id, get: null);
        var known = new HashSet<string> { first.Id, second.Id };
        _engine.Networks.Remove(second);
        _engine.Networks[0] = first with { Containers = 1 };
        var changes = await watch.ChangesOfAsync([_engine.Event(EngineEvents.ContainerCreated(FakeDashboardEngine.Actor("c1", "c1")))], known, default);
        Assert.Equal([(ChangeKind.Remove, second.Id), (ChangeKind.Upsert, first.Id)], changes.Select(c => (c.Kind, c.Id)));
        Assert.Equal(1, changes[1].Row!.Containers);
    }

    [Fact]
    public async Task The_changes_end_when_the_engine_stream_ends()
    {
        var sub = await Containers().StartAsync(TimeSpan.Zero, new FakeTimeProvider(), default);
        _engine.Events.Writer.Complete();
        await using var changes = sub.Changes.GetAsyncEnumerator();
        Assert.False(await changes.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private EngineEvent Die(ContainerRow c) => _engine.Event(EngineEvents.ContainerDied(FakeDashboardEngine.Actor(c.Id, c.Name), 0));
}

public class LiveListTests
{
    private static ContainerRow Row(string name, int created, string state = "running") => new()
    {
        Id = name, Name = name, Image = "busybox", State = state, Created = DateTimeOffset.UnixEpoch.AddSeconds(created),
    };

    [Fact]
    public void Changes_replace_insert_in_order_and_remove()
    {
        var list = new LiveList<ContainerRow>(r => r.Id, (a, b) => b.Created.CompareTo(a.Created));
        list.Reset([Row("c", 3), Row("a", 1)]);
        var exited = Row("a", 1, "exited");
        Assert.True(list.Apply([Change<ContainerRow>.Upsert("a", exited), Change<ContainerRow>.Upsert("b", Row("b", 2)), Change<ContainerRow>.Remove("c"), Change<ContainerRow>.Remove("never")]));
        Assert.Equal(["b", "a"], list.Rows.Select(r => r.Name));
        Assert.Same(exited, list.Rows[1]);
    }
}

public class FeedLoopTests
{
    [Fact]
    public async Task A_clock_moved_as_the_page_shows_reconnecting_still_ends_the_pause()
    {
        // A page (or a test) that reacts to "reconnecting" by moving the clock must not move it before the pause exists.
        var clock = new FakeTimeProvider();
        int watches = 0;
        var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var feed = new WatchFeed<string>(_ =>
        {
            if (Interlocked.Increment(ref watches) == 2) again.TrySetResult();
            return Task.FromException<LiveSubscription<string>>(new InvalidOperationException("engine gone"));
        }, clock);

        feed.Start(_ => Task.CompletedTask, _ => Task.CompletedTask, () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            return Task.CompletedTask;
        });

        await again.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("engine gone", feed.Error);
    }
}
