using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Dashboard.Logs;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>
/// The log viewer's state without a browser or a page: <see cref="LogViewerSession"/> over the fake log seam, with a
/// dispatcher that runs one thing at a time as a circuit does. Tests wait for the follower's deliveries through the
/// session's change signal (bounded by a generous guard, never asserted as a time).
/// </summary>
public sealed class LogViewerSessionTests : IAsyncDisposable
{
    private readonly FakeDashboardLogs _logs = new();
    private readonly SemaphoreSlim _circuit = new(1);
    private readonly SemaphoreSlim _changed = new(0);
    private readonly LogViewerSession _s;

    public LogViewerSessionTests()
    {
        _s = new LogViewerSession(_logs, OnCircuit, () => _changed.Release()) { BatchWindow = TimeSpan.Zero };
    }

    private async Task OnCircuit(Func<Task> work)
    {
        await _circuit.WaitAsync();
        try { await work(); }
        finally { _circuit.Release(); }
    }

    private Task Open(string container = "web", int tail = 500, int window = 10_000)
    {
        _s.TailLines = tail;
        return OnCircuit(() => _s.OpenAsync(container, window));
    }

    /// <summary>Waits until <paramref name="done"/> holds on the circuit, waking at each change the session signals.</summary>
    private async Task Until(Func<bool> done)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            bool ok = false;
            await OnCircuit(() => { ok = done(); return Task.CompletedTask; });
            if (ok) return;
            try { await _changed.WaitAsync(TimeSpan.FromMilliseconds(50), guard.Token); }
            catch (OperationCanceledException) { Assert.Fail("the session never got there"); }
        }
    }

    private List<string> Texts() => _s.Window.View.Select(l => l.Text).ToList();

    [Fact]
    public async Task Opening_shows_the_tail_scrolls_to_the_end_once_and_appends_what_follows()
    {
        _logs.Seed(30);
        await Open(tail: 10);
        Assert.Equal(Enumerable.Range(20, 10).Select(i => $"line {i}"), Texts());
        Assert.True(_s.Loaded);
        Assert.Equal("following", _s.StateText);
        Assert.Equal(new LogScroll(LogScrollKind.FollowEnd), _s.TakeScroll());
        Assert.Equal(LogScrollKind.None, _s.TakeScroll().Kind);

        await Until(() => _logs.Following == 1);
        _logs.Write("fresh 1", "fresh 2");
        await Until(() => _s.Received == 2);
        Assert.Equal(["line 29", "fresh 1", "fresh 2"], Texts()[^3..]);
        Assert.Equal(LogScrollKind.FollowEnd, _s.TakeScroll().Kind);
    }

    [Fact]
    public async Task Loading_older_keeps_the_read_line_in_view_and_past_the_window_stops_following_until_jump_to_latest()
    {
        _logs.Seed(20);
        await Open(tail: 5, window: 8);
        _s.TakeScroll();
        await OnCircuit(_s.LoadOlderAsync);
        Assert.Equal(Enumerable.Range(10, 8).Select(i => $"line {i}"), Texts());
        // Three rows came above the one the user was reading: the view moves down by three.
        Assert.Equal(new LogScroll(LogScrollKind.ShiftRows, 3), _s.TakeScroll());
        Assert.Equal("paused (older lines loaded)", _s.StateText);
        await Until(() => _logs.Following == 0);

        _logs.Write("while paused");
        await OnCircuit(_s.LoadLatestAsync);
        Assert.Equal(["line 18", "line 19", "while paused"], Texts()[^3..]);
        Assert.Equal("following", _s.StateText);
        await Until(() => _logs.Following == 1);
        _logs.Write("after");
        await Until(() => Texts()[^1] == "after");
    }

    [Fact]
    public async Task Follow_off_stops_the_follower_and_on_resumes_at_the_end()
    {
        _logs.Seed(3);
        await Open();
        _s.TakeScroll();
        await Until(() => _logs.Following == 1);
        await OnCircuit(() => _s.SetFollowAsync(false));
        Assert.Equal("paused", _s.StateText);
        await Until(() => _logs.Following == 0);
        // A filter change scrolls to the end only while following.
        _s.SetFilter(nameof(StreamFilter.Stdout));
        Assert.Equal(StreamFilter.Stdout, _s.Window.Filter);
        Assert.Equal(LogScrollKind.None, _s.TakeScroll().Kind);

        await OnCircuit(() => _s.SetFollowAsync(true));
        Assert.Equal(LogScrollKind.FollowEnd, _s.TakeScroll().Kind);
        await Until(() => _logs.Following == 1);
        _logs.Write("back");
        await Until(() => Texts()[^1] == "back");
    }

    [Fact]
    public async Task A_log_started_afresh_is_read_again_from_its_tail_and_followed()
    {
        _logs.Seed(5);
        await Open();
        await Until(() => _logs.Following == 1);
        _logs.Replace("fresh 0", "fresh 1");
        await Until(() => Texts().SequenceEqual(["fresh 0", "fresh 1"]));
        Assert.Null(_s.Error);
        Assert.Equal("following", _s.StateText);
        await Until(() => _logs.Following == 1);
        _logs.Write("fresh 2");
        await Until(() => Texts()[^1] == "fresh 2");
    }

    [Fact]
    public async Task When_following_ends_the_state_says_the_container_is_gone()
    {
        _logs.Seed(1);
        await Open();
        await Until(() => _logs.Following == 1);
        _logs.End();
        await Until(() => _s.Ended);
        Assert.Equal("not following: the container is gone", _s.StateText);
        Assert.Null(_s.Error);
    }

    [Fact]
    public async Task Moving_between_matches_counts_them_and_centres_the_current_one()
    {
        string[] text = ["starting", "ERROR disk full", "ok", "an error again"];
        _logs.Seed(text.Length, i => text[i]);
        await Open();
        _s.TakeScroll();
        _s.SetQuery("error");
        Assert.Equal("2 matches", _s.MatchText);
        _s.Move(forward: true);
        Assert.Equal("1 / 2", _s.MatchText);
        Assert.Equal(new LogScroll(LogScrollKind.ToRow, 1), _s.TakeScroll());
        _s.Move(forward: false);
        Assert.Equal(new LogScroll(LogScrollKind.ToRow, 3), _s.TakeScroll()); // wraps around
        _s.SetQuery("nothing like it");
        Assert.Equal("no match", _s.MatchText);
        _s.Move(forward: true);
        Assert.Equal(LogScrollKind.None, _s.TakeScroll().Kind);
    }

    [Fact]
    public async Task An_unknown_container_is_an_error_and_nothing_is_followed()
    {
        await Open("nope");
        Assert.Equal("no such container: nope", _s.Error);
        Assert.True(_s.Loaded);
        Assert.Equal(0, _logs.Following);
        Assert.Equal(LogScrollKind.None, _s.TakeScroll().Kind);
    }

    public async ValueTask DisposeAsync() => await _s.DisposeAsync();
}
