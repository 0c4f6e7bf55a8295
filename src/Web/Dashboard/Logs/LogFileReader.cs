using System.Text;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>
/// Reads ranges of a conmon log file (k8s-file format) by byte offset, so the viewer can hold a window of a log of any
/// size: the last lines, the lines before a given one, and what was appended after a given point. Files come from
/// <see cref="ContainerLog.Open"/> (shared: conmon only appends).
/// </summary>
public static class LogFileReader
{
    private const int BlockSize = 64 * 1024;
    // A container's bytes are not ours to validate: invalid UTF-8 becomes U+FFFD.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The last <paramref name="count"/> lines before <paramref name="end"/> (null: the end of the file).</summary>
    public static LogChunk Last(FileStream file, int count, long? end = null)
    {
        long stop = end ?? file.Length;
        long start = ContainerLog.TailStart(file, count, stop);
        return Read(file, start, stop, int.MaxValue);
    }

    /// <summary>
    /// The whole lines whose records lie in [<paramref name="start"/>, <paramref name="end"/>), at most
    /// <paramref name="maxLines"/>. A line written in pieces (conmon's "P" records) is one line at its first piece's offset.
    /// The chunk's End is where the next read must begin: past the last record used, or at the first piece of a line
    /// still unfinished (so following it later sees the whole line once).
    /// </summary>
    public static LogChunk Read(FileStream file, long start, long end, int maxLines)
    {
        var lines = new List<LogLine>();
        var pending = new (long Offset, DateTimeOffset Time, List<byte> Bytes)?[2];
        var buffer = new byte[BlockSize];
        byte[] carry = [];
        long pos = start, consumed = start;
        while (pos < end && lines.Count < maxLines)
        {
            int n = RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(0, (int)Math.Min(BlockSize, end - pos)), pos);
            if (n <= 0) break;
            byte[] data = carry.Length == 0 ? buffer[..n] : [.. carry, .. buffer.AsSpan(0, n)];
            long dataStart = pos - carry.Length;
            pos += n;
            int from = 0;
            for (int i; lines.Count < maxLines && (i = Array.IndexOf(data, (byte)'\n', from)) >= 0; from = i + 1)
            {
                long offset = dataStart + from;
                consumed = dataStart + i + 1;
                if (!K8sFileFormat.TryParse(data.AsMemory(from, i - from), out var r)) continue;
                int slot = (int)r.Stream;
                if (r.Partial)
                {
                    var p = pending[slot] ??= (offset, r.Time, new List<byte>());
                    p.Bytes.AddRange(r.Text.Span);
                }
                else if (pending[slot] is { } p)
                {
                    pending[slot] = null;
                    p.Bytes.AddRange(r.Text.Span);
                    lines.Add(new LogLine(p.Offset, p.Time, r.Stream, Utf8.GetString(p.Bytes.ToArray())));
                }
                else lines.Add(new LogLine(offset, r.Time, r.Stream, Utf8.GetString(r.Text.Span)));
            }
            carry = data[from..];
        }
        long next = consumed;
        foreach (var p in pending) if (p is { } open) next = Math.Min(next, open.Offset);
        if (next < consumed) lines.RemoveAll(l => l.Offset >= next); // read again, whole, by the next call
        lines.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return new LogChunk(lines, start, next);
    }
}
