using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Dashboard.Components.Logs;
using MyDocker.Web.Dashboard.Logs;

namespace MyDocker.UnitTests.Dashboard;

public class ContainerLogsTests : DashboardTestContext
{
    private readonly FakeDashboardLogs _logs = new();

    public ContainerLogsTests() => Services.AddSingleton<IDashboardLogs>(_logs);

    private IRenderedComponent<ContainerLogs> RenderLogs(int tail = 500, int window = 10_000) => Render<ContainerLogs>(p => p
        .Add(x => x.ContainerId, "web").Add(x => x.TailLines, tail).Add(x => x.WindowLines, window));

    private static List<string> Rows(IRenderedComponent<ContainerLogs> cut) =>
        cut.FindAll("[data-testid=log-lines] .log-row .log-text").Select(e => e.TextContent).ToList();

    private static string Status(IRenderedComponent<ContainerLogs> cut) => cut.Find("[data-testid=log-status]").TextContent;

    [Fact]
    public void Shows_the_last_lines_then_appends_what_the_container_writes()
    {
        _logs.Seed(30);
        var cut = RenderLogs(tail: 10);
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(20, 10).Select(i => $"line {i}"), Rows(cut)));
        Assert.Contains("10 lines shown", Status(cut));
        Assert.Contains("following", Status(cut));

        _logs.Write("fresh 1", "fresh 2");
        cut.WaitForAssertion(() => Assert.Equal(["line 28", "line 29", "fresh 1", "fresh 2"], Rows(cut)[^4..]));
        _logs.Write("fresh 3");
        cut.WaitForAssertion(() => Assert.Equal("fresh 3", Rows(cut)[^1]));
        Assert.Contains("13 lines shown", Status(cut));
    }

    [Fact]
    public void Load_older_prepends_the_lines_before_the_window_until_the_start_of_the_log()
    {
        _logs.Seed(12);
        var cut = RenderLogs(tail: 5);
        cut.WaitForAssertion(() => Assert.Equal("line 7", Rows(cut)[0]));
        cut.FindAll("button").Single(b => b.TextContent == "Load older").Click();
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(2, 10).Select(i => $"line {i}"), Rows(cut)));
        cut.FindAll("button").Single(b => b.TextContent == "Load older").Click();
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(0, 12).Select(i => $"line {i}"), Rows(cut)));
        Assert.Contains("Start of the log.", Status(cut));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent == "Load older");
    }

    [Fact]
    public void Loading_older_beyond_the_window_drops_the_newest_and_pauses_until_jump_to_latest()
    {
        _logs.Seed(20);
        var cut = RenderLogs(tail: 5, window: 8);
        cut.WaitForAssertion(() => Assert.Equal("line 15", Rows(cut)[0]));
        cut.FindAll("button").Single(b => b.TextContent == "Load older").Click();
        cut.WaitForAssertion(() => Assert.Equal(Enumerable.Range(10, 8).Select(i => $"line {i}"), Rows(cut)));
        Assert.Contains("paused (older lines loaded)", Status(cut));
        _logs.Write("while paused");
        cut.FindAll("button").Single(b => b.TextContent == "Jump to latest").Click();
        cut.WaitForAssertion(() => Assert.Equal(["line 17", "line 18", "line 19", "while paused"], Rows(cut)[^4..]));
        Assert.Contains("following", Status(cut));
    }

    [Fact]
    public void Stderr_lines_carry_a_tag_and_the_stream_filter_picks_them()
    {
        _logs.Seed(6, i => $"msg {i}", i => i % 2 == 1 ? LogStream.Stderr : LogStream.Stdout);
        var cut = RenderLogs();
        cut.WaitForAssertion(() => Assert.Equal(6, Rows(cut).Count));
        var rows = cut.FindAll(".log-row");
        // A small tag on stderr rows; the text itself keeps the normal colour (no colour class on the row's text).
        Assert.All(rows.Where((_, i) => i % 2 == 1), r => Assert.Equal("stderr", r.QuerySelector(".log-tag")!.TextContent));
        Assert.All(rows.Where((_, i) => i % 2 == 0), r => Assert.Equal("", r.QuerySelector(".log-tag")!.TextContent));
        Assert.Empty(cut.FindAll(".log-text [class^=ansi]"));
        // The row is what stderr marks (log-err); its text span carries no class of its own on either stream.
        var texts = cut.FindAll(".log-row .log-text");
        Assert.Equal(6, texts.Count);
        Assert.All(texts, t => Assert.Equal("log-text", t.ClassName));
        Assert.All(rows.Where((_, i) => i % 2 == 1), r => Assert.Equal("log-row log-err", r.ClassName));

        cut.Find("[data-testid=log-stream]").Change(nameof(StreamFilter.Stderr));
        cut.WaitForAssertion(() => Assert.Equal(["msg 1", "msg 3", "msg 5"], Rows(cut)));
        cut.Find("[data-testid=log-stream]").Change(nameof(StreamFilter.Stdout));
        cut.WaitForAssertion(() => Assert.Equal(["msg 0", "msg 2", "msg 4"], Rows(cut)));
        // New lines respect the filter.
        _logs.Write(("late err", LogStream.Stderr), ("late out", LogStream.Stdout));
        cut.WaitForAssertion(() => Assert.Equal(["msg 0", "msg 2", "msg 4", "late out"], Rows(cut)));
        cut.Find("[data-testid=log-stream]").Change(nameof(StreamFilter.Both));
        cut.WaitForAssertion(() => Assert.Equal(8, Rows(cut).Count));
    }

    [Fact]
    public void M1_a_line_cut_to_its_beginning_says_how_much_was_left_out()
    {
        _logs.Seed(2, i => i == 0 ? "short" : new string('a', ContainerLogReader.MaxLineBytes), cut: i => i == 0 ? 0 : 299_983_616);
        var cut = RenderLogs();
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        var marks = cut.FindAll(".log-row .log-cut");
        Assert.Equal("… 299,983,616 more bytes", Assert.Single(marks).TextContent);
        Assert.Contains("Download has it whole", marks[0].GetAttribute("title"));
    }

    [Fact]
    public void When_the_log_is_started_afresh_at_its_size_limit_the_viewer_shows_the_new_one()
    {
        _logs.Seed(5);
        var cut = RenderLogs();
        cut.WaitForAssertion(() => Assert.Equal(5, Rows(cut).Count));
        _logs.Replace("fresh 0", "fresh 1");
        cut.WaitForAssertion(() => Assert.Equal(["fresh 0", "fresh 1"], Rows(cut)));
        Assert.Contains("following", Status(cut));
        Assert.Empty(cut.FindAll("[data-testid=log-error]"));
        _logs.Write("fresh 2");
        cut.WaitForAssertion(() => Assert.Equal("fresh 2", Rows(cut)[^1]));
    }

    [Fact]
    public void Search_highlights_matches_and_moves_between_them_both_ways()
    {
        string[] text = ["starting", "ERROR disk full", "ok", "an error again", "ok", "final Error"];
        _logs.Seed(text.Length, i => text[i]);
        var cut = RenderLogs();
        cut.WaitForAssertion(() => Assert.Equal(6, Rows(cut).Count));
        cut.Find("input[data-testid=log-search], [data-testid=log-search] input").Input("error");
        cut.WaitForAssertion(() => Assert.Equal("3 matches", cut.Find("[data-testid=log-matches]").TextContent));
        Assert.Equal(["ERROR", "error", "Error"], cut.FindAll(".log-row mark").Select(m => m.TextContent));

        var next = cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Next match");
        next.Click();
        cut.WaitForAssertion(() => Assert.Equal("1 / 3", cut.Find("[data-testid=log-matches]").TextContent));
        Assert.Equal("ERROR disk full", cut.Find(".log-current .log-text").TextContent);
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Next match").Click();
        cut.WaitForAssertion(() => Assert.Equal("an error again", cut.Find(".log-current .log-text").TextContent));
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Previous match").Click();
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Previous match").Click();
        // Wraps around: before the first comes the last.
        cut.WaitForAssertion(() => Assert.Equal("3 / 3", cut.Find("[data-testid=log-matches]").TextContent));
        Assert.Equal("final Error", cut.Find(".log-current .log-text").TextContent);

        // A new matching line joins the count; the current match stays where it was.
        _logs.Write("one more error");
        cut.WaitForAssertion(() => Assert.Equal("3 / 4", cut.Find("[data-testid=log-matches]").TextContent));
        cut.Find("input[data-testid=log-search], [data-testid=log-search] input").Input("nothing like it");
        cut.WaitForAssertion(() => Assert.Equal("no match", cut.Find("[data-testid=log-matches]").TextContent));
        Assert.Empty(cut.FindAll(".log-row mark"));
    }

    [Fact]
    public void Ansi_colours_become_classes_and_markup_in_the_output_stays_text()
    {
        _logs.Seed(1, _ => "\u001b[1;31m<script>alert(1)</script>\u001b[0m plain \u001b[38;5;12m<b>blue</b>\u001b[39m\u001b]0;title\u0007\u001b[K");
        var cut = RenderLogs();
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        var text = cut.Find(".log-text");
        Assert.Equal("<script>alert(1)</script> plain <b>blue</b>", text.TextContent);
        Assert.Empty(cut.FindAll(".log-text script"));
        Assert.Empty(cut.FindAll(".log-text b"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", text.InnerHtml);
        var red = text.QuerySelectorAll("span").Single(s => s.TextContent.Contains("alert"));
        Assert.Equal("ansi-fg-1 ansi-bold", red.ClassName);
        Assert.Equal("ansi-fg-12", text.QuerySelectorAll("span").Single(s => s.TextContent.Contains("blue")).ClassName);

        // Highlighting splits coloured segments without losing their class.
        cut.Find("input[data-testid=log-search], [data-testid=log-search] input").Input("ALERT");
        cut.WaitForAssertion(() => Assert.Equal("ansi-fg-1 ansi-bold", cut.Find(".log-text mark").ClassName));
        Assert.Equal("alert", cut.Find(".log-text mark").TextContent);
    }

    [Fact]
    public void A_hundred_thousand_lines_keep_the_window_and_the_dom_bounded()
    {
        var cut = RenderLogs(window: 10_000);
        cut.WaitForAssertion(() => Assert.Contains("Start of the log.", Status(cut)));
        for (int sent = 0; sent < 100_000; sent += 1000)
            _logs.Write(Enumerable.Range(sent, 1000).Select(i => $"line {i}").ToArray());
        // The window holds the latest 10,000: its first row is line 90,000, and older ones can be loaded again.
        cut.WaitForAssertion(() => Assert.Equal("line 90000", cut.FindAll(".log-row .log-text")[0].TextContent));
        Assert.Contains("10000 lines shown (the latest 10,000 kept)", Status(cut));
        Assert.Contains("Load older", Status(cut));
        // The browser holds only what Virtualize renders (at most MaxItemCount 200 plus the overscan on both sides, 2·30,
        // here where nothing is measured; a real viewport of ~30 rows gets ~90), not the window.
        Assert.InRange(cut.FindAll(".log-row").Count, 1, 260);
        // And the batches were coalesced: far fewer renders than the 100 batches written.
        Assert.True(cut.RenderCount < 100, $"{cut.RenderCount} renders");
    }

    [Fact]
    public void An_unknown_container_says_so()
    {
        var cut = Render<ContainerLogs>(p => p.Add(x => x.ContainerId, "nope"));
        cut.WaitForAssertion(() => Assert.Contains("no such container: nope", cut.Find("[data-testid=log-error]").TextContent));
        Assert.Equal("/dashboard/containers/nope/logs/download", cut.Find("[data-testid=log-download]").GetAttribute("href"));
    }
}
