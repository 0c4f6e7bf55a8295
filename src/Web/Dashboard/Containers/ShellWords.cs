using System.Text;

namespace MyDocker.Web.Dashboard.Containers;

/// <summary>
/// POSIX shell words: splitting what the user typed as a command (quotes and backslashes as sh reads them, no
/// expansion), and quoting words back into a line a shell reads as the same words.
/// </summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="line"/>; throws <see cref="FormatException"/> on an unclosed quote or a
    /// trailing backslash.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                    break;
                case '\'':
                    int close = line.IndexOf('\'', i + 1);
                    if (close < 0) throw new FormatException("a ' quote is not closed; close it or remove it");
                    word.Append(line, i + 1, close - i - 1);
                    i = close; inWord = true;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= line.Length) throw new FormatException("a \" quote is not closed; close it or remove it");
                        if (line[i] == '"') break;
                        // Inside double quotes a backslash escapes only $ ` " \ and newline (POSIX 2.2.3).
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '$' or '`' or '"' or '\\' or '\n') i++;
                        word.Append(line[i]);
                    }
                    break;
                case '\\':
                    if (i + 1 >= line.Length) throw new FormatException("the command ends with a lone backslash; remove it or escape it (\\\\)");
                    word.Append(line[++i]); inWord = true;
                    break;
                default:
                    word.Append(c); inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>The word as sh reads it back: as is when it holds only safe characters, else in single quotes (a quote
    /// inside becomes '\'').</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "@%+=:,./_-".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
