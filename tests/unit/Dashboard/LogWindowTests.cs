using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Dashboard.Logs;

namespace MyDocker.UnitTests.Dashboard;

public class LogWindowTests
{
    private static LogLine Line(long offset, int chars) => new(offset, DateTimeOffset.UnixEpoch, LogStream.Stdout, new string('x', chars));

    [Fact]
    public void M1_the_window_holds_at_most_its_character_budget_whatever_the_lines_length()
    {
        var window = new LogWindow(capacity: 1000, maxChars: 1000);
        window.Reset(new LogChunk([Line(0, 100)], 0, 10));
        window.Append(Enumerable.Range(1, 30).Select(i => Line(i * 10, 100)).ToList());
        Assert.Equal(Enumerable.Range(21, 10).Select(i => i * 10L), window.View.Select(l => l.Offset));
        Assert.True(window.Full);
        Assert.True(window.HasOlder);
        Assert.Equal(210, window.Start);

        // A line longer than the budget is still shown, alone.
        window.Append([Line(400, 5000)]);
        Assert.Equal([400L], window.View.Select(l => l.Offset));

        // Loading older lines drops the newest beyond the budget, and following stops until the latest are loaded again.
        var older = new LogWindow(capacity: 1000, maxChars: 1000);
        older.Reset(new LogChunk([Line(100, 600)], 100, 110));
        older.Prepend(new LogChunk([Line(0, 300), Line(50, 300)], 0, 100));
        Assert.Equal([0L, 50L], older.View.Select(l => l.Offset));
        Assert.True(older.HasNewer);
        Assert.False(older.HasOlder);
    }
}
