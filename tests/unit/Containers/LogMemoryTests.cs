using System.Text;
using MyDocker.Engine.Containers.Logs;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// M1 of the security audit: reading a container's log costs a bounded amount of memory whatever the container wrote.
/// The logs are generated in conmon's format in a temporary directory (deleted after); allocations are counted with
/// GC.GetAllocatedBytesForCurrentThread, which is exact because reading a file never leaves the calling thread (each
/// step is checked to have completed synchronously).
/// </summary>
public sealed class LogMemoryTests : IDisposable
{
    private const string Stamp = "2026-11-24T08:01:01.027209389+00:00";
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-logmem-").FullName;
    private string LogPath => Path.Combine(_dir, "ctr.log");
    private ContainerLogReader Reader => new(LogPath, "ctr");

    private static byte[] Record(string stream, char tag, ReadOnlySpan<byte> text) =>
        [.. Encoding.ASCII.GetBytes($"{Stamp} {stream} {tag} "), .. text, (byte)'\n'];

    /// <summary>One line as conmon writes it: "P" records of its 8 KiB read buffer (cut anywhere, inside a UTF-8
    /// character too), then an "F" record with the rest; every <paramref name="interleaveEvery"/> records a stderr line.</summary>
    private static void WriteLine(Stream to, ReadOnlySpan<byte> line, int interleaveEvery = 0)
    {
        int records = 0;
        while (line.Length > 8192)
        {
            to.Write(Record("stdout", 'P', line[..8192]));
            line = line[8192..];
            if (interleaveEvery > 0 && ++records % interleaveEvery == 0) to.Write(Record("stderr", 'F', Encoding.ASCII.GetBytes($"err {records}")));
        }
        to.Write(Record("stdout", 'F', line));
    }

    /// <summary>Runs one step of an enumeration and returns the bytes it allocated.</summary>
    private static async Task<(bool More, long Allocated)> Step(IAsyncEnumerator<LogLine> entries)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var next = entries.MoveNextAsync();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(next.IsCompleted, "reading a log file completes on the calling thread");
        return (await next, allocated);
    }

    [Fact]
    public async Task M1_the_first_piece_of_a_300_MB_line_arrives_before_1_MB_is_allocated()
    {
        const int size = 300_000_000;
        using (var file = new FileStream(LogPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var line = new byte[size];
            line.AsSpan().Fill((byte)'a');
            WriteLine(file, line);
        }
        await using var entries = Reader.ReadAsync(new LogReadOptions(), () => false, CancellationToken.None).GetAsyncEnumerator();
        var (more, allocated) = await Step(entries);
        Assert.True(more);
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated before the first entry");
        Assert.True(entries.Current.Partial);

        // The rest streams the same way: no step allocates more than a piece's worth, and the pieces add up to the line.
        long total = entries.Current.Text.Length, worst = allocated;
        LogLine last = entries.Current;
        for (var s = await Step(entries); s.More; s = await Step(entries))
        {
            last = entries.Current;
            total += last.Text.Length;
            worst = Math.Max(worst, s.Allocated);
        }
        Assert.Equal(size, total);
        Assert.False(last.Partial);
        Assert.True(worst < 1_000_000, $"{worst:N0} bytes allocated by one step");
    }

    [Fact]
    public async Task M1_a_50_MB_line_of_P_records_comes_in_pieces_of_at_most_the_cap_that_add_up_to_the_line()
    {
        // Characters of 1 to 4 bytes, so that conmon's 8 KiB records and the reader's cap both fall inside characters.
        var pattern = Encoding.UTF8.GetBytes("aé€😀 ");
        var line = new byte[50_000_000 / pattern.Length * pattern.Length];
        for (int i = 0; i < line.Length; i += pattern.Length) pattern.CopyTo(line, i);
        using (var file = File.Create(LogPath)) WriteLine(file, line, interleaveEvery: 1000);

        long at = 0;
        int pieces = 0, errs = 0;
        LogLine? end = null;
        await foreach (var e in Reader.ReadAsync(new LogReadOptions(), () => false, CancellationToken.None))
        {
            if (e.Stream == LogStream.Stderr)
            {
                Assert.Equal($"err {++errs * 1000}", e.Text);
                continue;
            }
            Assert.Null(end); // nothing of the line after its end
            var bytes = Encoding.UTF8.GetBytes(e.Text);
            Assert.InRange(bytes.Length, 0, LineAssembler.MaxPiece);
            Assert.True(bytes.AsSpan().SequenceEqual(line.AsSpan((int)at, bytes.Length)), $"piece {pieces} differs from the line at byte {at}");
            at += bytes.Length;
            pieces++;
            if (!e.Partial) end = e;
        }
        Assert.NotNull(end);
        Assert.Equal(line.Length, at);
        Assert.Equal(line.Length / 8192 / 1000, errs);
        Assert.True(pieces >= line.Length / LineAssembler.MaxPiece, $"{pieces} pieces");
    }

    [Fact]
    public async Task M1_tail_reads_the_end_of_a_large_log_not_the_log()
    {
        using (var w = new StreamWriter(LogPath))
            for (var i = 0; i < 500_000; i++) w.Write($"{Stamp} stdout F line {i}\n");
        Assert.True(new FileInfo(LogPath).Length > 25_000_000);
        CountingStream? counted = null;
        var entries = new List<LogLine>();
        await foreach (var e in new ContainerLogReader(LogPath, "ctr", path => counted = new CountingStream(ContainerLogReader.Open(path)!))
            .ReadAsync(new LogReadOptions(Tail: 3), () => false, CancellationToken.None))
            entries.Add(e);
        Assert.Equal(["line 499997", "line 499998", "line 499999"], entries.Select(e => e.Text));
        Assert.True(counted!.BytesRead < 2 * RecordReader.BlockSize, $"{counted.BytesRead:N0} bytes read for a tail of 3");
    }

    [Fact]
    public async Task M1_a_run_of_16_MB_without_a_newline_is_skipped_with_one_block_of_memory()
    {
        // Not something conmon writes (its records hold at most 8 KiB), but a damaged file must not cost its size either:
        // three lines, 16 MB of zeros (a hole: nothing is written to disk), a newline, three lines.
        using (var file = File.Create(LogPath))
        {
            foreach (var t in new[] { "a", "b", "c" }) file.Write(Record("stdout", 'F', Encoding.ASCII.GetBytes(t)));
            file.SetLength(file.Length + 16_000_000);
            file.Seek(0, SeekOrigin.End);
            file.WriteByte((byte)'\n');
            foreach (var t in new[] { "d", "e", "f" }) file.Write(Record("stdout", 'F', Encoding.ASCII.GetBytes(t)));
        }
        var texts = new List<string>();
        long allocated = 0;
        await using (var entries = Reader.ReadAsync(new LogReadOptions(), () => false, CancellationToken.None).GetAsyncEnumerator())
            for (var s = await Step(entries); s.More; s = await Step(entries))
            {
                allocated += s.Allocated;
                texts.Add(entries.Current.Text);
            }
        Assert.Equal(["a", "b", "c", "d", "e", "f"], texts);
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated reading past the run");

        // Tail counts back through the run the same way.
        using var log = ContainerLogReader.Open(LogPath)!;
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = ContainerLogReader.TailStart(log, 5);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1_000_000, $"{allocated:N0} bytes allocated by the tail");
        Assert.Equal(Record("stdout", 'F', "a"u8).Length, start);
    }

    [Fact]
    public void Pieces_are_cut_between_utf8_characters()
    {
        Assert.Equal(2, LineAssembler.WholeUtf8("abé"u8[..3])); // "ab" and the first byte of é
        Assert.Equal(4, LineAssembler.WholeUtf8("abé"u8));
        Assert.Equal(1, LineAssembler.WholeUtf8("a😀"u8[..4])); // three of the emoji's four bytes
        Assert.Equal(5, LineAssembler.WholeUtf8("a😀"u8));
        Assert.Equal(3, LineAssembler.WholeUtf8([0x80, 0x80, 0x80])); // not UTF-8: cut where it is
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
