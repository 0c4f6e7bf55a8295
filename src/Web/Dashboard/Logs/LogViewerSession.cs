using MyDocker.Engine;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>What the view must do with its scroll position after the next render.</summary>
public enum LogScrollKind { None, ToRow, ShiftRows, FollowEnd }

/// <param name="Rows">The row to centre (<see cref="LogScrollKind.ToRow"/>) or the rows added above
/// (<see cref="LogScrollKind.ShiftRows"/>).</param>
public readonly record struct LogScroll(LogScrollKind Kind, int Rows = 0);

/// <summary>
/// One open log viewer without its page: the window of lines (<see cref="LogWindow"/>), the follower
/// (<see cref="LogFollower"/>) and when it runs (from opening and while "Follow" is on; stopped once loading older lines
/// pushed the newest out; the log read again from its tail when conmon started it afresh), the status the page shows,
/// and the scroll it owes after its next render (<see cref="TakeScroll"/>). Not thread-safe: the page calls it on its
/// circuit's dispatcher, and the follower's callbacks go through <c>dispatch</c> (the component's InvokeAsync), then
/// <c>changed</c> (its StateHasChanged) asks for a render.
/// </summary>
public sealed class LogViewerSession(IDashboardLogs logs, Func<Func<Task>, Task> dispatch, Action changed) : IAsyncDisposable
{
    private LogFollower? _follower;
    private string? _openedFor;
    private bool _scrollToEnd;
    private int? _scrollTo;
    private int _shiftRows;

    /// <summary>The container, by id or name.</summary>
    public string Container { get; private set; } = "";
    /// <summary>Lines shown at first, and loaded by each "Load older".</summary>
    public int TailLines { get; set; } = 500;
    /// <summary>How long a batch of new lines is gathered before one render.</summary>
    public TimeSpan BatchWindow { get; set; } = LogFollower.DefaultWindow;
    public LogWindow Window { get; private set; } = new(10_000);
    public string? Error { get; private set; }
    /// <summary>The first read is done (its lines, or its error, can be shown).</summary>
    public bool Loaded { get; private set; }
    public bool LoadingOlder { get; private set; }
    /// <summary>The "Follow" switch.</summary>
    public bool Follow { get; private set; } = true;
    /// <summary>Following ended by itself: the container is gone.</summary>
    public bool Ended { get; private set; }
    /// <summary>Lines the follower delivered since the viewer opened (kept or not): what bench/log-streaming.sh counts.</summary>
    public long Received { get; private set; }

    public string MatchText => Window.Query.Length == 0 ? "" : Window.Matches.Count == 0 ? "no match" :
        Window.CurrentMatch < 0 ? $"{Window.Matches.Count} matches" : $"{Window.CurrentMatch + 1} / {Window.Matches.Count}";

    public string StateText => Ended ? "not following: the container is gone" : Window.HasNewer ? "paused (older lines loaded)" : Follow ? "following" : "paused";

    /// <summary>Shows the tail of <paramref name="container"/>'s log in a window of <paramref name="windowLines"/> and
    /// follows it; nothing happens when neither changed since the last call (the page calls this on every parameter set).</summary>
    public async Task OpenAsync(string container, int windowLines)
    {
        if (_openedFor == container && Window.Capacity == windowLines) return;
        _openedFor = Container = container;
        Window = new LogWindow(windowLines);
        await LoadLatestAsync();
    }

    /// <summary>Replaces the window with the log's tail (the stream filter and search stay) and follows from there if
    /// "Follow" is on: on opening, for "Jump to latest", and when the log was started afresh.</summary>
    public async Task LoadLatestAsync()
    {
        await StopFollowingAsync();
        Ended = false;
        Window = new LogWindow(Window.Capacity) { Filter = Window.Filter, Query = Window.Query };
        try
        {
            Window.Reset(await logs.TailAsync(Container, TailLines));
            Error = null;
        }
        catch (EngineException e) { Error = e.Message; return; }
        finally { Loaded = true; }
        _scrollToEnd = true;
        if (Follow) StartFollowing();
    }

    private void StartFollowing()
    {
        var follower = _follower = new LogFollower(logs, BatchWindow);
        follower.Start(Container, Window.End,
            batch => dispatch(() =>
            {
                if (_follower != follower) return Task.CompletedTask;
                Received += batch.Count;
                Window.Append(batch);
                _scrollToEnd = true;
                changed();
                return Task.CompletedTask;
            }),
            error => dispatch(async () =>
            {
                if (_follower != follower) return;
                // The log reached its size limit and conmon started a new file: show the new one from its tail.
                if (error is Engine.Containers.Logs.LogReplacedException) { await LoadLatestAsync(); changed(); return; }
                if (error is null) Ended = true; else Error = $"Following the log stopped: {error.Message}";
                changed();
            }));
    }

    private async Task StopFollowingAsync()
    {
        if (_follower is { } f) { _follower = null; await f.DisposeAsync(); }
    }

    /// <summary>The "Follow" switch: off stops the follower; on starts it again unless older lines are loaded.</summary>
    public async Task SetFollowAsync(bool on)
    {
        Follow = on;
        if (on && _follower is null && !Window.HasNewer) { _scrollToEnd = true; StartFollowing(); }
        else if (!on) await StopFollowingAsync();
    }

    /// <summary>Prepends up to <see cref="TailLines"/> older lines, keeping the line the user was reading in view.</summary>
    public async Task LoadOlderAsync()
    {
        LoadingOlder = true;
        try
        {
            int before = Window.View.Count;
            var chunk = await logs.OlderAsync(Container, Window.Start, TailLines);
            bool wasNewer = Window.HasNewer;
            Window.Prepend(chunk);
            if (Window.HasNewer && !wasNewer) await StopFollowingAsync();
            // Scroll down by the rows added above.
            _shiftRows = Math.Max(0, Window.View.Count - before);
            Error = null;
        }
        catch (EngineException e) { Error = e.Message; }
        finally { LoadingOlder = false; }
    }

    /// <summary>The stream filter, by its name (the select's value); the view then sticks to the end if following.</summary>
    public void SetFilter(string? name)
    {
        if (Enum.TryParse<StreamFilter>(name, out var f)) Window.Filter = f;
        _scrollToEnd = Follow;
    }

    public void SetQuery(string? query) => Window.Query = query ?? "";

    /// <summary>Moves to the next (or previous) match and scrolls to it.</summary>
    public void Move(bool forward)
    {
        int index = Window.Move(forward);
        if (index >= 0) _scrollTo = index;
    }

    /// <summary>The scroll owed after a render, once: a match to centre first, then rows added above, then the end
    /// when following.</summary>
    public LogScroll TakeScroll()
    {
        if (_scrollTo is int row)
        {
            _scrollTo = null;
            return new LogScroll(LogScrollKind.ToRow, row);
        }
        if (_shiftRows > 0)
        {
            int n = _shiftRows;
            _shiftRows = 0;
            return new LogScroll(LogScrollKind.ShiftRows, n);
        }
        if (_scrollToEnd && Follow)
        {
            _scrollToEnd = false;
            return new LogScroll(LogScrollKind.FollowEnd);
        }
        return default;
    }

    public ValueTask DisposeAsync() => new(StopFollowingAsync());
}
