using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>A piece of a rendered line: text (rendered as a text node, so HTML-encoded), its ANSI classes, and whether it
/// is a search match.</summary>
public readonly record struct LogPiece(string Text, string? Css, bool Match);

/// <summary>Splits a line's ANSI segments at the search matches (case-insensitive, on the text without escapes).</summary>
public static class LogHighlight
{
    public static IReadOnlyList<LogPiece> Pieces(LogLine line, string? query)
    {
        var segments = AnsiText.Parse(line.Text);
        var matches = Ranges(AnsiText.Strip(line.Text), query);
        var pieces = new List<LogPiece>(segments.Count + 2 * matches.Count);
        int at = 0, m = 0; // at: position in Plain of the segment's start
        foreach (var seg in segments)
        {
            int s = 0;
            while (s < seg.Text.Length)
            {
                int pos = at + s;
                while (m < matches.Count && matches[m].End <= pos) m++;
                bool inMatch = m < matches.Count && matches[m].Start <= pos;
                int until = inMatch ? matches[m].End : m < matches.Count ? matches[m].Start : int.MaxValue;
                int len = Math.Min(seg.Text.Length - s, until - pos);
                pieces.Add(new LogPiece(len == seg.Text.Length ? seg.Text : seg.Text.Substring(s, len), seg.Css, inMatch));
                s += len;
            }
            at += seg.Text.Length;
        }
        return pieces;
    }

    private static List<(int Start, int End)> Ranges(string text, string? query)
    {
        var ranges = new List<(int, int)>();
        if (string.IsNullOrEmpty(query)) return ranges;
        for (int i = 0; (i = text.IndexOf(query, i, StringComparison.OrdinalIgnoreCase)) >= 0; i += query.Length)
            ranges.Add((i, i + query.Length));
        return ranges;
    }
}
