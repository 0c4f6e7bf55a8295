using System.Text;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Joins conmon's "P" records into lines, separately per stream (stdout and stderr pieces can interleave), but holds at
/// most <see cref="MaxPiece"/> bytes of a line: a longer one goes out in pieces (<see cref="LogEntry.Partial"/>) whose
/// concatenation is the line. Docker's json-file driver does the same at 16 KiB, and its reader never joins them
/// (moby daemon/logger/copier.go); joining up to 64 KiB keeps whole every line conmon cut at its 8 KiB read buffer,
/// while a container that writes 300 MB without a newline costs a reader one piece at a time. Not thread-safe.
/// </summary>
internal sealed class LineAssembler
{
    public const int MaxPiece = 64 * 1024;
    // Decoding replaces invalid UTF-8 with U+FFFD instead of throwing: a container's bytes are not ours to validate.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private sealed class Pending
    {
        public readonly byte[] Bytes = new byte[MaxPiece];
        public int Length;
        public DateTimeOffset Time;
    }

    private readonly Pending?[] _pending = new Pending?[2];

    /// <summary>Adds one record and appends to <paramref name="output"/> what it completes: nothing, the line, or pieces
    /// then the line's end.</summary>
    public void Add(K8sFileFormat.Record record, List<LogEntry> output)
    {
        var p = _pending[(int)record.Stream];
        if (p is not { Length: > 0 })
        {
            if (!record.Partial && record.Text.Length <= MaxPiece)
            {
                output.Add(new LogEntry(record.Time, record.Stream, Utf8.GetString(record.Text.Span)));
                return;
            }
            p ??= _pending[(int)record.Stream] = new Pending();
            p.Time = record.Time;
        }
        var text = record.Text.Span;
        while (true)
        {
            int take = Math.Min(text.Length, MaxPiece - p.Length);
            text[..take].CopyTo(p.Bytes.AsSpan(p.Length));
            p.Length += take;
            text = text[take..];
            if (p.Length < MaxPiece) break;
            // Full: send what it holds, up to the last whole UTF-8 character, and keep the rest for the next piece.
            int cut = WholeUtf8(p.Bytes);
            output.Add(new LogEntry(p.Time, record.Stream, Utf8.GetString(p.Bytes, 0, cut), Partial: true));
            p.Bytes.AsSpan(cut).CopyTo(p.Bytes);
            p.Length = MaxPiece - cut;
            p.Time = record.Time;
        }
        if (record.Partial) return;
        output.Add(new LogEntry(p.Time, record.Stream, Utf8.GetString(p.Bytes, 0, p.Length)));
        p.Length = 0;
    }

    /// <summary>What is still pending when the log ends (the container exited mid-line), oldest first, as partial
    /// entries: the container wrote no newline, so none is printed (Docker prints such output as it came).</summary>
    public IEnumerable<LogEntry> Flush()
    {
        var rest = new List<LogEntry>();
        for (var slot = 0; slot < _pending.Length; slot++)
            if (_pending[slot] is { Length: > 0 } p)
            {
                rest.Add(new LogEntry(p.Time, (LogStream)slot, Utf8.GetString(p.Bytes, 0, p.Length), Partial: true));
                p.Length = 0;
            }
        return rest.OrderBy(e => e.Time);
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 character cut off at its end, so that pieces
    /// decoded one by one give the characters the whole line gives. Invalid sequences are left as they are.</summary>
    internal static int WholeUtf8(ReadOnlySpan<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) == 0x80) continue; // a continuation byte: its lead byte is further back
            int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }
}
