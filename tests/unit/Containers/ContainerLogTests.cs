using System.Text;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.UnitTests.Containers;

public sealed class ContainerLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-log-").FullName;
    private string LogPath => Path.Combine(_dir, "ctr.log");
    private ContainerLogReader Reader => new(LogPath, "ctr");

    private static string Line(int second, string stream, char tag, string text) =>
        $"2026-11-24T08:01:{second:00}.027209389+00:00 {stream} {tag} {text}\n";

    private async Task<List<LogLine>> Read(LogReadOptions options)
    {
        var list = new List<LogLine>();
        await foreach (var e in Reader.ReadAsync(options, () => false, CancellationToken.None)) list.Add(e);
        return list;
    }

    [Fact]
    public async Task Parses_streams_times_and_merges_partial_lines_per_stream()
    {
        File.WriteAllText(LogPath,
            Line(1, "stdout", 'F', "hello") +
            Line(2, "stdout", 'P', "long ") +
            Line(2, "stderr", 'F', "oops") +
            Line(3, "stdout", 'F', "line") +
            Line(4, "stdout", 'F', "") +
            "not a record\n");
        var entries = await Read(new LogReadOptions());
        Assert.Equal(
            [("hello", LogStream.Stdout), ("oops", LogStream.Stderr), ("long line", LogStream.Stdout), ("", LogStream.Stdout)],
            entries.Select(e => (e.Text, e.Stream)));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 1, 1, TimeSpan.Zero).AddTicks(272093), entries[0].Time);
        Assert.Equal(2, entries[2].Time.Second); // a merged line keeps the time of its first piece
    }

    [Fact]
    public async Task A_line_left_in_pieces_at_the_end_is_still_reported()
    {
        File.WriteAllText(LogPath, Line(1, "stdout", 'P', "no newline"));
        var entry = Assert.Single(await Read(new LogReadOptions()));
        Assert.Equal("no newline", entry.Text);
        Assert.True(entry.Partial); // the container wrote no newline: none is printed (as Docker does)
    }

    [Fact]
    public async Task Invalid_utf8_does_not_break_reading()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes("2026-11-24T08:01:01.000000001+00:00 stdout F bad "));
        bytes.AddRange([0xff, 0xfe, 0xc3]);
        bytes.AddRange(Encoding.ASCII.GetBytes("\n" + Line(2, "stdout", 'F', "next")));
        File.WriteAllBytes(LogPath, [.. bytes]);
        var entries = await Read(new LogReadOptions());
        Assert.Equal(2, entries.Count);
        Assert.StartsWith("bad ", entries[0].Text);
        Assert.Contains('\uFFFD', entries[0].Text);
        Assert.Equal("next", entries[1].Text);
    }

    [Fact]
    public async Task Since_and_until_filter_by_time()
    {
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 10).Select(i => Line(i, "stdout", 'F', $"l{i}"))));
        var t0 = new DateTimeOffset(2026, 11, 24, 8, 1, 0, TimeSpan.Zero);
        var entries = await Read(new LogReadOptions(Since: t0.AddSeconds(3), Until: t0.AddSeconds(6)));
        Assert.Equal(["l3", "l4", "l5"], entries.Select(e => e.Text));
    }

    [Fact]
    public async Task Tail_of_a_big_file_reads_backwards_and_counts_whole_lines()
    {
        using (var w = new StreamWriter(LogPath))
        {
            for (var i = 0; i < 200_000; i++) w.Write(Line(i % 60, "stdout", 'F', $"line {i}"));
            // The last line comes in three pieces, interleaved with stderr.
            w.Write(Line(1, "stdout", 'P', "a"));
            w.Write(Line(1, "stderr", 'F', "err"));
            w.Write(Line(1, "stdout", 'P', "b"));
            w.Write(Line(1, "stdout", 'F', "c"));
        }
        Assert.True(new FileInfo(LogPath).Length > 10_000_000);
        using (var file = File.OpenRead(LogPath))
            Assert.True(file.Length - ContainerLogReader.TailStart(file, 3) < 1000, "the tail starts near the end");

        var entries = await Read(new LogReadOptions(Tail: 3));
        Assert.Equal(["line 199999", "err", "abc"], entries.Select(e => e.Text));
        Assert.Empty(await Read(new LogReadOptions(Tail: 0)));
        Assert.Equal(200_002, (await Read(new LogReadOptions(Tail: 1_000_000))).Count);
    }

    [Fact]
    public async Task Tail_across_block_boundaries_matches_reading_everything()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 3000; i++) text.Append(Line(i % 60, i % 3 == 0 ? "stderr" : "stdout", 'F', new string('x', i % 97) + i));
        File.WriteAllText(LogPath, text.ToString());
        var all = await Read(new LogReadOptions());
        foreach (var n in new[] { 1, 17, 1000, 2999, 3000 })
            Assert.Equal(all.TakeLast(n).Select(e => e.Text), (await Read(new LogReadOptions(Tail: n))).Select(e => e.Text));
    }

    [Fact]
    public async Task Follow_sees_appended_lines_and_ends_when_the_container_stops()
    {
        File.WriteAllText(LogPath, Line(1, "stdout", 'F', "first"));
        var running = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var e in Reader.ReadAsync(new LogReadOptions(Follow: true), () => Volatile.Read(ref running), cts.Token))
        {
            seen.Add(e.Text);
            if (e.Text == "first") File.AppendAllText(LogPath, Line(2, "stdout", 'P', "sec") + Line(2, "stdout", 'F', "ond"));
            if (e.Text == "second")
            {
                File.AppendAllText(LogPath, Line(3, "stderr", 'F', "last"));
                Volatile.Write(ref running, false);
            }
        }
        Assert.Equal(["first", "second", "last"], seen);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task Follow_goes_on_in_the_new_file_when_conmon_replaces_a_full_log()
    {
        File.WriteAllText(LogPath, Line(1, "stdout", 'F', "old"));
        var running = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var e in Reader.ReadAsync(new LogReadOptions(Follow: true), () => Volatile.Read(ref running), cts.Token))
        {
            seen.Add(e.Text);
            if (e.Text == "old")
            {
                // What conmon's --log-size-max does: the old file gets its last write, then a new one is renamed over it.
                File.AppendAllText(LogPath, Line(2, "stdout", 'F', "last of the old file"));
                File.WriteAllText(LogPath + ".tmp", Line(3, "stdout", 'F', "new"));
                File.Move(LogPath + ".tmp", LogPath, overwrite: true);
            }
            if (e.Text == "new") Volatile.Write(ref running, false);
        }
        Assert.Equal(["old", "last of the old file", "new"], seen);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task Follow_ends_quietly_on_cancellation()
    {
        File.WriteAllText(LogPath, Line(1, "stdout", 'F', "only"));
        using var cts = new CancellationTokenSource();
        var seen = new List<string>();
        await foreach (var e in Reader.ReadAsync(new LogReadOptions(Follow: true), () => true, cts.Token))
        {
            seen.Add(e.Text);
            cts.CancelAfter(100);
        }
        Assert.Equal(["only"], seen);
    }

    [Fact]
    public async Task Following_by_offset_ends_when_the_containers_directory_is_removed()
    {
        // rm deletes the container's directory with its log: the viewer's follower (no stop condition) ends then.
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "ctr")).FullName;
        var path = Path.Combine(dir, "ctr.log");
        File.WriteAllText(path, Line(1, "stdout", 'F', "only"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        await foreach (var batch in new ContainerLogReader(path, "ctr").FollowAsync(0, stopped: null, cts.Token))
        {
            seen.AddRange(batch.Select(l => l.Text));
            Directory.Delete(dir, recursive: true);
        }
        Assert.Equal(["only"], seen);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public void Tail_values()
    {
        Assert.Null(LogReadOptions.ParseTail("all"));
        Assert.Equal(5, LogReadOptions.ParseTail("5"));
        Assert.Throws<MyDocker.Engine.EngineException>(() => LogReadOptions.ParseTail("-1"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
