using System.Globalization;
using System.Text;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// conmon's k8s-file log format, one record per line: "TIME STREAM TAG TEXT\n", e.g.
/// "2026-11-24T08:01:01.027209389+00:00 stdout F hello". TAG "F" ends a line, "P" is a piece of a longer one
/// (conmon splits at its buffer size or when the container writes no newline). Times carry nanoseconds, more than
/// .NET parses, so the fraction is cut to 100 ns ticks.
/// </summary>
internal static class K8sFileFormat
{
    public readonly record struct Record(DateTimeOffset Time, LogStream Stream, bool Partial, ReadOnlyMemory<byte> Text);

    /// <summary>Parses one record without its "\n"; false for a line that is not a record (it is skipped).</summary>
    public static bool TryParse(ReadOnlyMemory<byte> line, out Record record)
    {
        record = default;
        var span = line.Span;
        var s1 = span.IndexOf((byte)' ');
        if (s1 <= 0) return false;
        var s2 = span[(s1 + 1)..].IndexOf((byte)' ');
        if (s2 <= 0) return false;
        s2 += s1 + 1;
        var tagEnd = span[(s2 + 1)..].IndexOf((byte)' ');
        var tag = tagEnd < 0 ? span[(s2 + 1)..] : span.Slice(s2 + 1, tagEnd);
        var textStart = tagEnd < 0 ? span.Length : s2 + 1 + tagEnd + 1;

        if (!TryParseTime(span[..s1], out var time)) return false;
        var stream = span[(s1 + 1)..s2];
        LogStream which;
        if (stream.SequenceEqual("stdout"u8)) which = LogStream.Stdout;
        else if (stream.SequenceEqual("stderr"u8)) which = LogStream.Stderr;
        else return false;
        // The tag may carry more flags after ':' in the CRI format; P is the only one that matters.
        var partial = tag.Length > 0 && tag[0] == (byte)'P';
        record = new Record(time, which, partial, line[textStart..]);
        return true;
    }

    /// <summary>Whether the record ends a line (tag F); false for "P" and for lines that are not records.</summary>
    public static bool EndsLine(ReadOnlySpan<byte> line)
    {
        var s1 = line.IndexOf((byte)' ');
        if (s1 < 0) return false;
        var s2 = line[(s1 + 1)..].IndexOf((byte)' ');
        if (s2 < 0) return false;
        var tagAt = s1 + 1 + s2 + 1;
        return tagAt < line.Length && line[tagAt] == (byte)'F';
    }

    private static bool TryParseTime(ReadOnlySpan<byte> bytes, out DateTimeOffset time)
    {
        time = default;
        Span<char> chars = stackalloc char[64];
        if (bytes.Length > chars.Length || Encoding.ASCII.GetChars(bytes, chars) is var n && n != bytes.Length) return false;
        var text = chars[..bytes.Length];
        // 2026-11-24T08:01:01.027209389+00:00: keep at most 7 fraction digits.
        var dot = text.IndexOf('.');
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7)
            {
                var trimmed = string.Concat(text[..(dot + 8)], text[end..]);
                return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time);
            }
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out time);
    }
}
