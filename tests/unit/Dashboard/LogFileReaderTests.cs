using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Dashboard.Logs;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The viewer's offset reads over a real file in conmon's k8s-file format.</summary>
public sealed class LogFileReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"logreader-{Guid.NewGuid():N}.log");

    private static string Rec(int second, string stream, string tag, string text) =>
        $"2026-01-01T00:00:{second:D2}.123456789+00:00 {stream} {tag} {text}\n";

    private ContainerLogReader Reader => new(_path, "web");

    [Fact]
    public void Tail_older_and_following_reads_join_up_without_gaps_or_repeats()
    {
        File.WriteAllText(_path, string.Concat(Enumerable.Range(0, 10).Select(i => Rec(i, i % 3 == 0 ? "stderr" : "stdout", "F", $"line {i}"))));
        using var file = ContainerLogReader.Open(_path)!;
        var tail = Reader.Tail(4);
        Assert.Equal(["line 6", "line 7", "line 8", "line 9"], tail.Lines.Select(l => l.Text));
        Assert.Equal(LogStream.Stderr, tail.Lines[0].Stream);
        Assert.True(tail.HasOlder);
        Assert.Equal(file.Length, tail.End);

        var older = Reader.Tail(4, tail.Start);
        Assert.Equal(["line 2", "line 3", "line 4", "line 5"], older.Lines.Select(l => l.Text));
        var first = Reader.Tail(4, older.Start);
        Assert.Equal(["line 0", "line 1"], first.Lines.Select(l => l.Text));
        Assert.False(first.HasOlder);

        // Appended later, including a line written in pieces and one not finished yet.
        File.AppendAllText(_path, Rec(10, "stdout", "P", "par") + Rec(10, "stderr", "F", "between") + Rec(11, "stdout", "F", "tial") + Rec(12, "stdout", "P", "unfin"));
        var next = Reader.Read(tail.End, 100);
        // Lines come as they end, each at its last record: a follower emits them in that order without holding any back.
        Assert.Equal(["between", "partial"], next.Lines.Select(l => l.Text));
        Assert.True(next.Lines[0].Offset < next.Lines[1].Offset);
        Assert.Equal(10, next.Lines[1].Time.Second); // the joined line keeps its first piece's time
        File.AppendAllText(_path, Rec(13, "stdout", "F", "ished"));
        var last = Reader.Read(next.End, 100);
        Assert.Equal(["unfinished"], last.Lines.Select(l => l.Text));
        Assert.Equal(file.Length, last.End);
    }

    [Fact]
    public void A_read_stops_after_max_lines_and_the_next_continues_there()
    {
        File.WriteAllText(_path, string.Concat(Enumerable.Range(0, 10).Select(i => Rec(i, "stdout", "F", $"l{i}"))));
        var a = Reader.Read(0, 3);
        var b = Reader.Read(a.End, 100);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"l{i}"), a.Lines.Concat(b.Lines).Select(l => l.Text));
    }

    public void Dispose() => File.Delete(_path);
}

public class AnsiTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("\u001b[32mgreen\u001b[0m", "green")]
    [InlineData("a\u001b[2Kb\u001b]8;;http://x\u001b\\c", "abc")]
    [InlineData("bell\u0007 and cr\r", "bell and cr")]
    [InlineData("cut off \u001b[3", "cut off ")]
    public void Strip_removes_escape_sequences(string input, string expected) => Assert.Equal(expected, AnsiText.Strip(input));

    [Fact]
    public void Sgr_codes_map_to_whitelisted_classes_only()
    {
        var segs = AnsiText.Parse("\u001b[1;4;93;44mA\u001b[22;24mB\u001b[7mC\u001b[38;2;1;2;3mD\u001b[0mE");
        Assert.Equal([("A", "ansi-fg-11 ansi-bg-4 ansi-bold ansi-underline"), ("B", "ansi-fg-11 ansi-bg-4"), ("C", "ansi-fg-4 ansi-bg-11"), ("D", "ansi-fg-4 ansi-bg-11"), ("E", null)],
            segs.Select(s => (s.Text, s.Css)));
        Assert.All(segs.Where(s => s.Css is not null).SelectMany(s => s.Css!.Split(' ')), c => Assert.Matches("^ansi-(fg|bg)-\\d+$|^ansi-(bold|underline|dim|italic)$", c));
    }
}
