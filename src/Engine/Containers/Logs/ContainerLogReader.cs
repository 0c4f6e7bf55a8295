using System.Runtime.CompilerServices;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// A container's log as conmon writes it (k8s-file format, see <see cref="K8sFileFormat"/>), and the one reader of it:
/// the API's logs and attach streams, the dashboard's viewer and its download all read through here. Readers never
/// block the writer: the file is opened shared and read from a position; conmon only appends, or (with
/// --log-size-max) starts a new file under the same name (<see cref="FollowedLog"/>). Reading streams: a block of the
/// file, then the lines it completes, then the next block; no line costs more than a bounded buffer.
/// <para>
/// Following has one wake-up and one end rule. Wake-up: inotify on the file, and a look every <see cref="PollInterval"/>
/// (inotify does not see conmon's writes made from another mount namespace). End: when the caller's <c>stopped</c>
/// says nothing more will be written (the container stopped, for <c>logs -f</c>), or when the container's directory
/// is gone (rm deleted it with the log; an open handle would keep reading the deleted file), each time after one more
/// read (conmon writes the exit record only after the container's output is in the log, so "stopped" plus one last
/// read sees every line); or quietly when the token is cancelled.
/// </para>
/// Each instance is one log path; its methods may be called from any thread at once (each call has its own handle).
/// </summary>
public sealed class ContainerLogReader
{
    /// <summary>The most of one line the offset reads (<see cref="Tail"/>, <see cref="Read"/>,
    /// <see cref="FollowAsync"/>) return: Docker's json-file message size, ~100 screen widths; the rest is counted in
    /// <see cref="LogLine.Cut"/>.</summary>
    public const int MaxLineBytes = 16 * 1024;
    /// <summary>The most lines, and about the most characters of text, in one batch of <see cref="FollowAsync"/>.</summary>
    public const int MaxBatch = 4096, MaxBatchChars = 1024 * 1024;
    /// <summary>The fallback wake-up of a follower: a stat of the file, cheap.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>Enough of a record to read its tag: "2026-11-24T08:01:01.027209389+00:00 stdout F".</summary>
    private const int HeaderPeek = 128;

    private readonly string _path, _name;
    private readonly Func<string, Stream?> _open;
    private readonly TimeProvider _time;

    /// <param name="path">The log file.</param>
    /// <param name="name">The container as the caller named it (for errors).</param>
    /// <param name="time">The clock of the poll (tests pass a fake one).</param>
    public ContainerLogReader(string path, string name, TimeProvider? time = null) : this(path, name, Open, time) { }

    /// <summary>With the file opened by <paramref name="open"/> (tests count the bytes read through it).</summary>
    internal ContainerLogReader(string path, string name, Func<string, Stream?> open, TimeProvider? time = null)
    {
        _path = path;
        _name = name;
        _open = open;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The last <paramref name="count"/> lines that end before offset <paramref name="before"/> (a
    /// <see cref="LogLine.Offset"/> or a chunk's Start; null: the end of the log as it is now). A missing file reads as
    /// empty.</summary>
    public LogChunk Tail(int count, long? before = null)
    {
        using var file = _open(_path);
        if (file is null) return new LogChunk([], 0, 0);
        long end = Math.Min(before ?? long.MaxValue, file.Length);
        return ReadRange(file, TailStart(file, count, end), end, int.MaxValue);
    }

    /// <summary>
    /// The whole lines that end from offset <paramref name="from"/> to the end of the log as it is now, at most
    /// <paramref name="maxLines"/>. The chunk's End is where a later read must begin to see every line not returned:
    /// past the last record used, or at the first piece of a line still unfinished (its other pieces are read again).
    /// </summary>
    public LogChunk Read(long from, int maxLines)
    {
        using var file = _open(_path);
        return file is null ? new LogChunk([], from, from) : ReadRange(file, from, file.Length, maxLines);
    }

    private static LogChunk ReadRange(Stream file, long start, long end, int maxLines)
    {
        var reader = new LogLineReader(start, LineAssembler.Beginnings(MaxLineBytes));
        var lines = reader.Read(file, end, maxLines, long.MaxValue);
        return new LogChunk(lines, start, reader.Resume);
    }

    /// <summary>
    /// Lines that end from offset <paramref name="from"/> on, in batches as they are read (at most <see cref="MaxBatch"/>
    /// lines or about <see cref="MaxBatchChars"/> characters each), until following ends (see the class; a null
    /// <paramref name="stopped"/> follows a stopped container too: a restart appends to the same log). One reader lives
    /// for the whole follow: each wake-up reads only what was appended, and a line still unfinished stays in memory (its
    /// first <see cref="MaxLineBytes"/>) instead of being read again. When the file is replaced by a new one (conmon's
    /// --log-size-max) or truncated, the lines of the old one are delivered and the enumeration ends with
    /// <see cref="LogReplacedException"/>: offsets start over, read the new log from its tail.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(long from, Func<bool>? stopped, [EnumeratorCancellation] CancellationToken ct)
    {
        var scan = new Scan(LineAssembler.Beginnings(MaxLineBytes), _ => from, Follow: true, stopped, ByOffset: true, MaxBatch, MaxBatchChars);
        await foreach (var batch in ScanAsync(scan, ct)) yield return batch;
    }

    /// <summary>
    /// Docker's log stream: the lines per <paramref name="options"/>, each yielded as soon as it is read, whole, a line
    /// longer than <see cref="LineAssembler.MaxPiece"/> in pieces (<see cref="LogLine.Partial"/>). With Follow, keeps
    /// reading what is appended, across the files conmon starts at max-size, until following ends (see the class) with
    /// <paramref name="stillRunning"/> false; then what a line left unfinished comes as a partial line. A missing file
    /// reads as empty.
    /// </summary>
    public async IAsyncEnumerable<LogLine> ReadAsync(LogReadOptions options, Func<bool> stillRunning, [EnumeratorCancellation] CancellationToken ct)
    {
        // Small batches: each line is handed on before the next piece of a long line is read.
        var scan = new Scan(LineAssembler.Pieces(), file => options.Tail is { } tail ? TailStart(file, tail) : 0,
            options.Follow, () => !stillRunning(), ByOffset: false, MaxLines: 64, MaxChars: LineAssembler.MaxPiece);
        await foreach (var batch in ScanAsync(scan, ct))
            foreach (var line in batch)
            {
                if (options.Until is { } until && line.Time > until) yield break;
                if (options.Since is { } since && line.Time < since) continue;
                yield return line;
            }
    }

    /// <summary>How one read goes. <paramref name="ByOffset"/>: the caller holds offsets, so a replaced or truncated
    /// file ends the read (<see cref="LogReplacedException"/>) instead of going on in the new file, and a line left
    /// unfinished stays unread.</summary>
    private sealed record Scan(
        LineAssembler Lines, Func<Stream, long> Start, bool Follow, Func<bool>? Stopped, bool ByOffset, int MaxLines, long MaxChars);

    /// <summary>The one read-and-follow loop behind every reader.</summary>
    private async IAsyncEnumerable<List<LogLine>> ScanAsync(Scan scan, [EnumeratorCancellation] CancellationToken ct)
    {
        using var wake = scan.Follow ? new WakeUp(_path, _time) : null;
        using var log = new FollowedLog(_path, _open);
        var dir = Path.GetDirectoryName(_path);
        LogLineReader? reader = null;
        long limit = long.MaxValue;
        bool replaced = false;
        while (true)
        {
            if (log.TryOpen() is { } file)
            {
                if (reader is null)
                {
                    reader = new LogLineReader(scan.Start(file), scan.Lines);
                    // Not following: what is there now. A container writing faster than this reads must not make it endless.
                    if (!scan.Follow) limit = file.Length;
                }
                if (file.Length < reader.Fetched)
                {
                    // Truncated in place (conmon never does; a tool might): start over.
                    if (scan.ByOffset) throw new LogReplacedException(_name);
                    reader.Restart();
                }
                var lines = reader.Read(file, limit, scan.MaxLines, scan.MaxChars);
                if (lines.Count > 0)
                {
                    yield return lines;
                    continue; // more may be there already: read again before sleeping
                }
                if (replaced)
                {
                    // The old file is read to its end (conmon closed it before the rename): go on with the new one.
                    if (scan.ByOffset) throw new LogReplacedException(_name);
                    log.Close();
                    reader.Restart();
                    replaced = false;
                    continue;
                }
            }
            if (!scan.Follow || ct.IsCancellationRequested) break;
            if (log.Replaced())
            {
                replaced = true; // read what the old file got after the last read, then switch
                continue;
            }
            if (scan.Stopped?.Invoke() == true || dir is null || !Directory.Exists(dir))
            {
                // One more read: lines written between the last read and the end.
                if (log.File is { } f && reader is not null && f.Length > reader.Fetched) continue;
                break;
            }
            try { await wake!.WaitAsync(ct); }
            catch (OperationCanceledException) { yield break; }
        }
        if (!scan.ByOffset && scan.Lines.Flush().ToList() is { Count: > 0 } rest) yield return rest;
    }

    /// <summary>Wakes a follower when inotify reports a write, and every <see cref="PollInterval"/> in any case.</summary>
    private sealed class WakeUp : IDisposable
    {
        // Not disposed: a timer or inotify callback already running may still release it (it holds no handle until
        // AvailableWaitHandle is asked for, which nothing does).
        private readonly SemaphoreSlim _signal = new(0);
        private readonly FileSystemWatcher? _watcher;
        private readonly ITimer _timer;

        public WakeUp(string path, TimeProvider time)
        {
            _watcher = Watch(path, Signal);
            _timer = time.CreateTimer(_ => Signal(), null, PollInterval, PollInterval);
        }

        private void Signal()
        {
            if (_signal.CurrentCount == 0) _signal.Release();
        }

        public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(ct);

        public void Dispose()
        {
            _timer.Dispose();
            _watcher?.Dispose();
        }
    }

    /// <summary>Opens a log for reading while conmon appends to it (and rm may delete it); null when it does not exist
    /// (yet, or any more).</summary>
    public static FileStream? Open(string path)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 0,
            });
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private static FileSystemWatcher? Watch(string path, Action changed)
    {
        var dir = Path.GetDirectoryName(path);
        if (dir is null || !Directory.Exists(dir)) return null;
        var watcher = new FileSystemWatcher(dir, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        FileSystemEventHandler wake = (_, _) => changed();
        watcher.Changed += wake;
        watcher.Created += wake;
        try { watcher.EnableRaisingEvents = true; }
        catch (IOException)
        {
            // Past the inotify limits (fs.inotify.max_user_instances, max_user_watches; inotify(7)) starting the watch
            // fails: polling alone wakes the follower rather than the read failing.
            watcher.Dispose();
            return null;
        }
        return watcher;
    }

    /// <summary>
    /// The offset where the last <paramref name="count"/> lines begin, found by reading backwards a block at a time, so
    /// a tail of a large log costs what the tail is, not what the log is: one block in memory, and only the blocks that
    /// hold the tail read (plus a record's first bytes where one straddles two blocks). A line counts at its final
    /// record (tag F); an unfinished record at the end does not count. <paramref name="until"/> (default: the file's
    /// length) counts back from an earlier point (the dashboard's "load older").
    /// </summary>
    internal static long TailStart(Stream file, int count, long? until = null)
    {
        var length = until ?? file.Length;
        if (count == 0) return length;
        var block = new byte[RecordReader.BlockSize];
        var head = new byte[HeaderPeek];
        var found = 0;
        long end = -1; // the newline that ends the record examined next; -1 until the last one is seen
        long blockStart = length;
        int size = 0;
        while (blockStart > 0)
        {
            size = (int)Math.Min(block.Length, blockStart);
            blockStart -= size;
            size = ReadAt(file, blockStart, block.AsSpan(0, size));
            for (var i = size - 1; i >= 0; i--)
            {
                if (block[i] != (byte)'\n') continue;
                if (end >= 0 && EndsLine(blockStart + i + 1, end) && ++found > count) return end + 1;
                end = blockStart + i;
            }
        }
        // The first record begins the file.
        return end >= 0 && EndsLine(0, end) && ++found > count ? end + 1 : 0;

        bool EndsLine(long start, long newline)
        {
            int n = (int)Math.Min(HeaderPeek, newline - start);
            long inBlock = start - blockStart;
            var bytes = inBlock + n <= size ? block.AsSpan((int)inBlock, n) : head.AsSpan(0, ReadAt(file, start, head.AsSpan(0, n)));
            return K8sFileFormat.EndsLine(bytes);
        }
    }

    /// <summary>Reads at <paramref name="offset"/> until <paramref name="into"/> is full or the file ends.</summary>
    private static int ReadAt(Stream file, long offset, Span<byte> into)
    {
        file.Position = offset;
        int total = 0;
        for (int n; total < into.Length && (n = file.Read(into[total..])) > 0;) total += n;
        return total;
    }
}
