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
    /// <summary>The last <paramref name="count"/> lines before <paramref name="end"/> (null: the end of the file).</summary>
    public static LogChunk Last(Stream file, int count, long? end = null)
    {
        long stop = end ?? file.Length;
        long start = ContainerLog.TailStart(file, count, stop);
        return Read(file, start, stop, int.MaxValue);
    }

    /// <summary>
    /// The whole lines that end in [<paramref name="start"/>, <paramref name="end"/>), at most
    /// <paramref name="maxLines"/>. The chunk's End is where a later read must begin to see every line not returned:
    /// past the last record used, or at the first piece of a line still unfinished (its other pieces are read again).
    /// </summary>
    public static LogChunk Read(Stream file, long start, long end, int maxLines)
    {
        var reader = new LogLineReader(start);
        var lines = reader.Read(file, end, maxLines, int.MaxValue);
        return new LogChunk(lines, start, reader.Resume);
    }
}

/// <summary>
/// Reads a log's lines forward for the viewer and keeps its place and its unfinished lines between calls, so following
/// a log reads each byte once, however long a line grows before its newline comes. A line written in pieces (conmon's
/// "P" records) is one <see cref="LogLine"/> at its last record's offset; of a line longer than
/// <see cref="MaxLineBytes"/> the viewer gets the beginning and the count of bytes cut (the Download has it whole).
/// Not thread-safe.
/// </summary>
public sealed class LogLineReader(long start)
{
    /// <summary>The most of one line the viewer holds: Docker's json-file message size, ~100 screen widths.</summary>
    public const int MaxLineBytes = 16 * 1024;
    // A container's bytes are not ours to validate: invalid UTF-8 becomes U+FFFD.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private sealed class Open
    {
        public readonly byte[] Bytes = new byte[MaxLineBytes];
        public bool Active;
        public long Offset;
        public DateTimeOffset Time;
        public int Length;
        public long Cut;
    }

    private readonly RecordReader _records = new(start);
    private readonly Open?[] _open = new Open?[2];

    /// <summary>Where a new reader must begin to return every line this one has not: the first record of the oldest
    /// unfinished line, or past the last record read.</summary>
    public long Resume
    {
        get
        {
            long at = _records.Position;
            foreach (var o in _open) if (o is { Active: true }) at = Math.Min(at, o.Offset);
            return at;
        }
    }

    /// <summary>How far the file has been read (a file now shorter was truncated).</summary>
    public long Fetched => _records.Fetched;

    /// <summary>The lines completed by the records before <paramref name="end"/>, in the order they end, until
    /// <paramref name="maxLines"/> lines or about <paramref name="maxBytes"/> bytes of text are read.</summary>
    public List<LogLine> Read(Stream file, long end, int maxLines, int maxBytes)
    {
        var lines = new List<LogLine>();
        long bytes = 0;
        while (lines.Count < maxLines && bytes < maxBytes && _records.TryRead(file, end, out long offset, out var line))
        {
            if (!K8sFileFormat.TryParse(line, out var r)) continue;
            var o = _open[(int)r.Stream] ??= new Open();
            if (!o.Active)
            {
                if (!r.Partial)
                {
                    int keep = r.Text.Length <= MaxLineBytes ? r.Text.Length : LineAssembler.WholeUtf8(r.Text.Span[..MaxLineBytes]);
                    lines.Add(new LogLine(offset, r.Time, r.Stream, Utf8.GetString(r.Text.Span[..keep]), r.Text.Length - keep));
                    bytes += keep;
                    continue;
                }
                o.Active = true;
                o.Offset = offset;
                o.Time = r.Time;
                o.Length = 0;
                o.Cut = 0;
            }
            int take = Math.Min(r.Text.Length, MaxLineBytes - o.Length);
            r.Text.Span[..take].CopyTo(o.Bytes.AsSpan(o.Length));
            o.Length += take;
            o.Cut += r.Text.Length - take;
            if (r.Partial) continue;
            int whole = o.Cut == 0 ? o.Length : LineAssembler.WholeUtf8(o.Bytes.AsSpan(0, o.Length));
            lines.Add(new LogLine(offset, o.Time, r.Stream, Utf8.GetString(o.Bytes, 0, whole), o.Cut + o.Length - whole));
            bytes += whole;
            o.Active = false;
        }
        return lines;
    }
}
