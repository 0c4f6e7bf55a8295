using System.Runtime.CompilerServices;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Reads a container's log as conmon writes it (k8s-file format, see <see cref="K8sFileFormat"/>). Readers never
/// block the writer: the file is opened shared and read from a position; conmon only appends, or (with
/// --log-size-max) starts a new file under the same name. Reading streams: a block of the file, then the entries it
/// holds, then the next block; no entry is longer than <see cref="LineAssembler.MaxPiece"/> bytes.
/// </summary>
public static class ContainerLog
{
    /// <summary>Fallback wake-up when inotify says nothing (it does not see writes from another mount namespace).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    /// <summary>Enough of a record to read its tag: "2026-11-24T08:01:01.027209389+00:00 stdout F".</summary>
    private const int HeaderPeek = 128;

    /// <summary>
    /// The log's lines per <paramref name="options"/>, each yielded as soon as it is read. With Follow, keeps reading
    /// what is appended until <paramref name="stillRunning"/> returns false and the file is drained (conmon writes the
    /// exit record only after the container's output is in the log, so "not running" plus one last read sees every
    /// line), or until <paramref name="ct"/> is cancelled (then the enumeration ends quietly). A missing file reads as
    /// empty.
    /// </summary>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string path, LogReadOptions options, Func<bool> stillRunning, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var entry in ReadAsync(path, options, stillRunning, Open, ct)) yield return entry;
    }

    /// <summary><see cref="ReadAsync(string, LogReadOptions, Func{bool}, CancellationToken)"/> with the file opened by
    /// <paramref name="open"/> (tests count reads through it).</summary>
    internal static async IAsyncEnumerable<LogEntry> ReadAsync(
        string path, LogReadOptions options, Func<bool> stillRunning, Func<string, Stream?> open, [EnumeratorCancellation] CancellationToken ct)
    {
        using var changed = new SemaphoreSlim(0);
        using var watcher = options.Follow ? Watch(path, changed) : null;
        using var log = new FollowedLog(path, open);
        RecordReader? reader = null;
        var assembler = new LineAssembler();
        var ready = new List<LogEntry>(2);
        bool replaced = false;
        while (true)
        {
            if (log.TryOpen() is { } file)
            {
                // Not following: what is there now. A container writing faster than this reads must not make it endless.
                long limit = options.Follow ? long.MaxValue : file.Length;
                reader ??= new RecordReader(options.Tail is { } tail ? TailStart(file, tail) : 0);
                if (file.Length < reader.Fetched) reader = new RecordReader(0); // truncated: start over
                while (reader.TryRead(file, limit, out _, out var line))
                {
                    if (!K8sFileFormat.TryParse(line, out var record)) continue;
                    assembler.Add(record, ready);
                    foreach (var entry in ready)
                    {
                        if (options.Until is { } until && entry.Time > until) yield break;
                        if (options.Since is { } since && entry.Time < since) continue;
                        yield return entry;
                    }
                    ready.Clear();
                }
                if (replaced)
                {
                    // The old file is read to its end (conmon closed it before the rename): go on with the new one.
                    log.Close();
                    reader = new RecordReader(0);
                    replaced = false;
                    continue;
                }
            }
            if (!options.Follow || ct.IsCancellationRequested) break;
            if (log.Replaced())
            {
                replaced = true; // read what the old file got after the last read, then switch
                continue;
            }
            if (!stillRunning())
            {
                // One more read: lines written between the last read and the exit.
                if (log.File is { } f && reader is not null && f.Length > reader.Fetched) continue;
                break;
            }
            try { await changed.WaitAsync(PollInterval, ct); }
            catch (OperationCanceledException) { yield break; }
        }
        foreach (var entry in assembler.Flush())
            if ((options.Since is null || entry.Time >= options.Since) && (options.Until is null || entry.Time <= options.Until))
                yield return entry;
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

    private static FileSystemWatcher? Watch(string path, SemaphoreSlim changed)
    {
        var dir = Path.GetDirectoryName(path);
        if (dir is null || !Directory.Exists(dir)) return null;
        var watcher = new FileSystemWatcher(dir, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        FileSystemEventHandler wake = (_, _) => { if (changed.CurrentCount == 0) changed.Release(); };
        watcher.Changed += wake;
        watcher.Created += wake;
        watcher.EnableRaisingEvents = true;
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
