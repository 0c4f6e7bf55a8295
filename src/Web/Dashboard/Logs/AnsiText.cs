using System.Text;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>A run of text with one look: <see cref="Css"/> is null or a space-separated list of classes from a fixed
/// whitelist (ansi-bold, ansi-fg-1, ansi-bg-12, ...), never anything taken from the input.</summary>
public readonly record struct AnsiSegment(string Text, string? Css);

/// <summary>
/// ANSI escape sequences in container output. SGR ("ESC [ n ; n m") colours and weights become CSS classes from a
/// whitelist; every other escape sequence is dropped. The text itself is never turned into markup: the viewer renders
/// each segment as a text node (Blazor HTML-encodes it) inside a span whose class comes from here, which is the
/// "encode first, then colour" order (a line holding &lt;script&gt; stays text whatever codes surround it).
/// </summary>
public static class AnsiText
{
    private const char Esc = '\u001b';

    /// <summary>The text without escape sequences (and without other C0 controls but tab).</summary>
    public static string Strip(string text)
    {
        if (!NeedsWork(text)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var s in Parse(text)) sb.Append(s.Text);
        return sb.ToString();
    }

    public static IReadOnlyList<AnsiSegment> Parse(string text)
    {
        if (!NeedsWork(text)) return [new AnsiSegment(text, null)];
        var segments = new List<AnsiSegment>();
        var style = Style.Plain;
        var run = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != Esc)
            {
                // Other control characters (BEL, backspace, CR of a progress bar) would show as boxes: dropped.
                if (c >= ' ' || c == '\t') run.Append(c);
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == '[')
            {
                // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, one final byte 0x40-0x7E (ECMA-48 §5.4).
                int j = i + 2;
                while (j < text.Length && text[j] is >= '0' and <= '?') j++;
                int paramEnd = j;
                while (j < text.Length && text[j] is >= ' ' and <= '/') j++;
                if (j >= text.Length) break; // cut off: drop the rest
                if (text[j] == 'm' && paramEnd == j)
                {
                    Flush(segments, run, style);
                    style = style.Apply(text.AsSpan(i + 2, paramEnd - (i + 2)));
                }
                i = j;
            }
            else if (i + 1 < text.Length && text[i + 1] == ']')
            {
                // OSC (window titles, hyperlinks): up to BEL or ESC \.
                int j = i + 2;
                while (j < text.Length && text[j] != '\a' && !(text[j] == Esc && j + 1 < text.Length && text[j + 1] == '\\')) j++;
                i = j < text.Length && text[j] == Esc ? j + 1 : j;
            }
            else i++; // a two-character escape (ESC 7, ESC =, ...)
        }
        Flush(segments, run, style);
        return segments;
    }

    private static bool NeedsWork(string text)
    {
        foreach (char c in text) if (c < ' ' && c != '\t') return true;
        return false;
    }

    private static void Flush(List<AnsiSegment> segments, StringBuilder run, Style style)
    {
        if (run.Length == 0) return;
        segments.Add(new AnsiSegment(run.ToString(), style.Css()));
        run.Clear();
    }

    /// <summary>The SGR state: colours are palette indexes 0-15 (30-37/90-97 and 40-47/100-107; 38;5;n and 48;5;n with
    /// n below 16). 256-colour and true-colour values beyond the palette are ignored rather than put in a style
    /// attribute: the page's CSP and the class whitelist stay simple.</summary>
    private readonly record struct Style(int Fg = -1, int Bg = -1, bool Bold = false, bool Dim = false, bool Italic = false, bool Underline = false, bool Inverse = false)
    {
        // Not `new Style()`: a struct's parameterless constructor zeroes the fields, which would mean black on black.
        public static readonly Style Plain = new(Fg: -1, Bg: -1);

        public Style Apply(ReadOnlySpan<char> parameters)
        {
            var s = this;
            if (parameters.IsEmpty) return Plain;
            Span<int> codes = stackalloc int[32];
            int count = 0;
            foreach (var range in parameters.Split(';'))
            {
                if (count == codes.Length) break;
                var p = parameters[range];
                codes[count++] = p.IsEmpty ? 0 : int.TryParse(p, out int v) ? v : -1;
            }
            for (int k = 0; k < count; k++)
            {
                int code = codes[k];
                switch (code)
                {
                    case 0: s = Plain; break;
                    case 1: s = s with { Bold = true }; break;
                    case 2: s = s with { Dim = true }; break;
                    case 3: s = s with { Italic = true }; break;
                    case 4: s = s with { Underline = true }; break;
                    case 7: s = s with { Inverse = true }; break;
                    case 22: s = s with { Bold = false, Dim = false }; break;
                    case 23: s = s with { Italic = false }; break;
                    case 24: s = s with { Underline = false }; break;
                    case 27: s = s with { Inverse = false }; break;
                    case >= 30 and <= 37: s = s with { Fg = code - 30 }; break;
                    case 39: s = s with { Fg = -1 }; break;
                    case >= 40 and <= 47: s = s with { Bg = code - 40 }; break;
                    case 49: s = s with { Bg = -1 }; break;
                    case >= 90 and <= 97: s = s with { Fg = code - 90 + 8 }; break;
                    case >= 100 and <= 107: s = s with { Bg = code - 100 + 8 }; break;
                    case 38 or 48:
                        // 38;5;n or 38;2;r;g;b: consume the arguments whatever they are.
                        int color = -1;
                        if (k + 2 < count && codes[k + 1] == 5) { color = codes[k + 2]; k += 2; }
                        else if (k + 4 < count && codes[k + 1] == 2) k += 4;
                        else k = count;
                        if (color is >= 0 and < 16) s = code == 38 ? s with { Fg = color } : s with { Bg = color };
                        break;
                }
            }
            return s;
        }

        public string? Css()
        {
            var (fg, bg) = Inverse ? (Bg < 0 ? 16 : Bg, Fg < 0 ? 16 : Fg) : (Fg, Bg); // 16: the page's own colour
            var parts = new List<string>(4);
            if (fg >= 0) parts.Add(Classes.Fg[fg]);
            if (bg >= 0) parts.Add(Classes.Bg[bg]);
            if (Bold) parts.Add("ansi-bold");
            if (Dim) parts.Add("ansi-dim");
            if (Italic) parts.Add("ansi-italic");
            if (Underline) parts.Add("ansi-underline");
            return parts.Count == 0 ? null : string.Join(' ', parts);
        }
    }

    private static class Classes
    {
        public static readonly string[] Fg = [.. Enumerable.Range(0, 16).Select(i => $"ansi-fg-{i}"), "ansi-fg-bg"];
        public static readonly string[] Bg = [.. Enumerable.Range(0, 16).Select(i => $"ansi-bg-{i}"), "ansi-bg-fg"];
    }
}
