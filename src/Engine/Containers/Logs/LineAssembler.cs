using System.Text;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Joins conmon's "P" records into lines, separately per stream (stdout and stderr pieces can interleave), holding at
/// most a fixed number of bytes of a line. What happens to a longer line is the reader's choice:
/// <list type="bullet">
/// <item><see cref="Pieces"/>: it goes out in pieces of at most <see cref="MaxPiece"/> bytes (<see cref="LogLine.Partial"/>)
/// whose concatenation is the line. Docker's json-file driver does the same at 16 KiB, and its reader never joins them
/// (moby daemon/logger/copier.go); joining up to 64 KiB keeps whole every line conmon cut at its 8 KiB read buffer,
/// while a container that writes 300 MB without a newline costs a reader one piece at a time.</item>
/// <item><see cref="Beginnings"/>: it is one line holding its first bytes, with the rest counted in
/// <see cref="LogLine.Cut"/> (what a viewer shows).</item>
/// </list>
/// Either way a line is emitted when its last record is added, at that record's offset. Not thread-safe.
/// </summary>
internal sealed class LineAssembler
{
    public const int MaxPiece = 64 * 1024;
    // Decoding replaces invalid UTF-8 with U+FFFD instead of throwing: a container's bytes are not ours to validate.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private sealed class Pending(int size)
    {
        public readonly byte[] Bytes = new byte[size];
        public bool Active;
        public long Offset;
        public DateTimeOffset Time;
        public int Length;
        public long Cut;
    }

    private readonly int _max;
    private readonly bool _cut;
    private readonly Pending?[] _pending = new Pending?[2];

    private LineAssembler(int max, bool cut)
    {
        _max = max;
        _cut = cut;
    }

    /// <summary>Long lines in pieces of at most <see cref="MaxPiece"/> bytes.</summary>
    public static LineAssembler Pieces() => new(MaxPiece, cut: false);

    /// <summary>Long lines cut to their first <paramref name="maxBytes"/> bytes.</summary>
    public static LineAssembler Beginnings(int maxBytes) => new(maxBytes, cut: true);

    /// <summary>The offset of the first record of the oldest line begun and not ended yet, or null.</summary>
    public long? OldestOpen
    {
        get
        {
            long? at = null;
            foreach (var p in _pending) if (p is { Active: true } && (at is null || p.Offset < at)) at = p.Offset;
            return at;
        }
    }

    /// <summary>Adds one record read at <paramref name="offset"/> and appends to <paramref name="output"/> what it
    /// completes: nothing, the line, or (in pieces) pieces then the line's end.</summary>
    public void Add(K8sFileFormat.Record record, long offset, List<LogLine> output)
    {
        var text = record.Text.Span;
        var p = _pending[(int)record.Stream];
        if (p is not { Active: true })
        {
            if (!record.Partial && (text.Length <= _max || _cut))
            {
                int keep = text.Length <= _max ? text.Length : WholeUtf8(text[.._max]);
                output.Add(new LogLine(offset, record.Time, record.Stream, Utf8.GetString(text[..keep]), Cut: text.Length - keep));
                return;
            }
            p ??= _pending[(int)record.Stream] = new Pending(_max);
            p.Active = true;
            p.Offset = offset;
            p.Time = record.Time;
            p.Length = 0;
            p.Cut = 0;
        }
        if (_cut)
        {
            int take = Math.Min(text.Length, _max - p.Length);
            text[..take].CopyTo(p.Bytes.AsSpan(p.Length));
            p.Length += take;
            p.Cut += text.Length - take;
        }
        else
        {
            while (true)
            {
                int take = Math.Min(text.Length, _max - p.Length);
                text[..take].CopyTo(p.Bytes.AsSpan(p.Length));
                p.Length += take;
                text = text[take..];
                if (p.Length < _max) break;
                // Full: send what it holds, up to the last whole UTF-8 character, and keep the rest for the next piece.
                int cut = WholeUtf8(p.Bytes);
                output.Add(new LogLine(offset, p.Time, record.Stream, Utf8.GetString(p.Bytes, 0, cut), Partial: true));
                p.Bytes.AsSpan(cut).CopyTo(p.Bytes);
                p.Length = _max - cut;
                p.Offset = offset;
                p.Time = record.Time;
            }
        }
        if (record.Partial)
        {
            // In pieces, a line whose held bytes all went out starts afresh with its next record.
            if (!_cut) p.Active = p.Length > 0;
            return;
        }
        int whole = p.Cut == 0 ? p.Length : WholeUtf8(p.Bytes.AsSpan(0, p.Length));
        output.Add(new LogLine(offset, p.Time, record.Stream, Utf8.GetString(p.Bytes, 0, whole), Cut: p.Cut + p.Length - whole));
        p.Active = false;
        p.Length = 0;
    }

    /// <summary>What is still pending when the log ends (the container exited mid-line), oldest first, as partial
    /// lines: the container wrote no newline, so none is printed (Docker prints such output as it came).</summary>
    public IEnumerable<LogLine> Flush()
    {
        var rest = new List<LogLine>();
        for (var slot = 0; slot < _pending.Length; slot++)
            if (_pending[slot] is { Active: true } p)
            {
                rest.Add(new LogLine(p.Offset, p.Time, (LogStream)slot, Utf8.GetString(p.Bytes, 0, p.Length), Partial: true));
                p.Active = false;
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
