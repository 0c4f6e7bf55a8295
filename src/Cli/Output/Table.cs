using System.Text;

namespace MyDocker.Cli.Output;

/// <summary>
/// Left-aligned text table laid out the way the docker CLI's tabwriter does it (minimum cell width 10,
/// padding 3, the last column not padded, so no trailing spaces). Widths count UTF-16 chars, which is
/// exact for the ASCII that names, ids and addresses are made of.
/// </summary>
public sealed class Table
{
    /// <summary>docker's <c>tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)</c>: a cell is at least 10 wide including padding.</summary>
    public const int MinCellWidth = 10;
    public const int Padding = 3;

    private readonly string[] _headers;
    private readonly List<string[]> _rows = new();

    public Table(params string[] headers) => _headers = headers;

    public int RowCount => _rows.Count;

    /// <summary>Adds a row; it must have one cell per header (null is shown empty).</summary>
    public void AddRow(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
            throw new ArgumentException($"row has {cells.Length} cells, the table has {_headers.Length} columns", nameof(cells));
        var row = new string[cells.Length];
        for (int i = 0; i < cells.Length; i++) row[i] = cells[i] ?? "";
        _rows.Add(row);
    }

    public void WriteTo(TextWriter writer) => writer.Write(ToString());

    public override string ToString()
    {
        int columns = _headers.Length;
        var widths = new int[columns];
        for (int c = 0; c < columns - 1; c++)
        {
            int w = _headers[c].Length;
            foreach (var row in _rows) w = Math.Max(w, row[c].Length);
            widths[c] = Math.Max(w + Padding, MinCellWidth);
        }
        var sb = new StringBuilder((_rows.Count + 1) * 80);
        AppendLine(sb, _headers, widths);
        foreach (var row in _rows) AppendLine(sb, row, widths);
        return sb.ToString();
    }

    private static void AppendLine(StringBuilder sb, string[] cells, int[] widths)
    {
        int last = cells.Length - 1;
        for (int c = 0; c < last; c++) sb.Append(cells[c]).Append(' ', widths[c] - cells[c].Length);
        // tabwriter drops the padding of empty trailing cells too; trim so lines never end in spaces.
        sb.Append(cells[last]);
        int end = sb.Length;
        while (end > 0 && sb[end - 1] == ' ') end--;
        sb.Length = end;
        sb.Append('\n');
    }
}
