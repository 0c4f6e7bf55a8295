using System.Runtime.CompilerServices;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Reads a container's log as conmon writes it (k8s-file format, see <see cref="K8sFileFormat"/>). Readers never
/// block the writer: the file is opened shared and read from a position; conmon only appends.
/// </summary>
public static class ContainerLog
{
    private const int BlockSize = 64 * 1024;
    /// <summary>Fallback wake-up when inotify says nothing (it does not see writes from another mount namespace).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The log's lines per <paramref name="options"/>. With Follow, keeps reading what is appended until
    /// <paramref name="stillRunning"/> returns false and the file is drained (conmon writes the exit record only after
    /// the container's output is in the log, so "not running" plus one last read sees every line), or until
    /// <paramref name="ct"/> is cancelled (then the enumeration ends quietly). A missing file reads as empty.
    /// </summary>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string path, LogReadOptions options, Func<bool> stillRunning, [EnumeratorCancellation] CancellationToken ct)
    {
        using var changed = new SemaphoreSlim(0);
        using var watcher = options.Follow ? Watch(path, changed) : null;
        FileStream? file = null;
        try
        {
            file = Open(path);
            long position = file is null ? 0 : options.Tail is { } tail ? TailStart(file, tail) : 0;
            var assembler = new LineAssembler();
            var carry = Array.Empty<byte>();
            while (true)
            {
                file ??= Open(path);
                if (file is not null)
                {
                    if (file.Length < position) { position = 0; carry = []; } // truncated: start over
                    var (lines, newPosition, rest) = ReadLines(file, position, carry);
                    position = newPosition;
                    carry = rest;
                    foreach (var line in lines)
                    {
                        if (!K8sFileFormat.TryParse(line, out var record)) continue;
                        if (assembler.Add(record) is not { } entry) continue;
                        if (options.Until is { } until && entry.Time > until) yield break;
                        if (options.Since is { } since && entry.Time < since) continue;
                        yield return entry;
                    }
                }
                if (!options.Follow || ct.IsCancellationRequested) break;
                if (!stillRunning())
                {
                    // One more read: lines written between the last read and the exit.
                    if (file is not null && file.Length > position) continue;
                    break;
                }
                try { await changed.WaitAsync(PollInterval, ct); }
                catch (OperationCanceledException) { yield break; }
            }
            foreach (var entry in assembler.Flush())
                if ((options.Since is null || entry.Time >= options.Since) && (options.Until is null || entry.Time <= options.Until))
                    yield return entry;
        }
        finally { file?.Dispose(); }
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

    /// <summary>Complete lines (without "\n") from <paramref name="position"/> to the end; an unfinished last line is carried.</summary>
    private static (List<ReadOnlyMemory<byte>> Lines, long Position, byte[] Carry) ReadLines(FileStream file, long position, byte[] carry)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var buffer = new byte[BlockSize];
        var pending = carry;
        while (true)
        {
            var n = RandomAccess.Read(file.SafeFileHandle, buffer, position);
            if (n <= 0) break;
            position += n;
            var data = pending.Length == 0 ? buffer.AsSpan(0, n).ToArray() : [.. pending, .. buffer.AsSpan(0, n)];
            var start = 0;
            for (int i; (i = Array.IndexOf(data, (byte)'\n', start)) >= 0; start = i + 1)
                lines.Add(data.AsMemory(start, i - start));
            pending = data[start..];
        }
        return (lines, position, pending);
    }

    /// <summary>
    /// The offset where the last <paramref name="count"/> lines begin, found by reading backwards in blocks, so a
    /// tail of a large log costs what the tail is, not what the log is. A line counts at its final record (tag F).
    /// <paramref name="until"/> (default: the file's length) counts back from an earlier point (the dashboard's "load older").
    /// </summary>
    internal static long TailStart(FileStream file, int count, long? until = null)
    {
        var length = until ?? file.Length;
        if (count == 0) return length;
        var pos = length;
        var carry = Array.Empty<byte>(); // bytes from the start of the current block's first (incomplete) line onwards
        var found = 0;
        var buffer = new byte[BlockSize];
        while (pos > 0)
        {
            var size = (int)Math.Min(BlockSize, pos);
            pos -= size;
            RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(0, size), pos);
            byte[] data = [.. buffer.AsSpan(0, size), .. carry];
            var end = data.Length; // exclusive end of the line being examined (just past its "\n")
            for (var i = data.Length - 2; i >= -1; i--)
            {
                if (i >= 0 && data[i] != (byte)'\n') continue;
                if (i < 0 && pos > 0) break; // the block's first line may start in the previous block
                var line = data.AsSpan(i + 1, end - (i + 1));
                if (K8sFileFormat.EndsLine(line) && ++found > count) return pos + end;
                end = i + 1;
            }
            carry = data[..end];
        }
        return 0;
    }
}
