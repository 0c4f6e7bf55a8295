using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

public enum StreamFilter { Both, Stdout, Stderr }

/// <summary>
/// The lines one viewer holds: a window of at most <see cref="Capacity"/> consecutive lines of the log and at most
/// <see cref="MaxChars"/> characters of their text, whatever the log's size and its lines' length. Following appends
/// and drops the oldest beyond either bound; loading older lines prepends and drops the newest (the viewer then stops
/// following until the user jumps back to the latest). Also the stream filter (<see cref="View"/>) and the search
/// (matches, current match). Not thread-safe: the viewer calls it on its circuit's dispatcher only.
/// </summary>
public sealed class LogWindow(int capacity, long maxChars = LogWindow.DefaultMaxChars)
{
    /// <summary>8 Mi characters: about 16 MB of text per viewer at most.</summary>
    public const long DefaultMaxChars = 8L * 1024 * 1024;

    private readonly List<LogLine> _lines = [];
    private long _chars;
    private bool _charsFull;
    private List<LogLine> _view = [];
    private List<int>? _matches;
    private long _start, _end;
    private long? _currentOffset;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));
    public long MaxChars { get; } = maxChars > 0 ? maxChars : throw new ArgumentOutOfRangeException(nameof(maxChars));
    public int Count => _lines.Count;
    /// <summary>The window is at its line capacity, or dropped lines to stay within <see cref="MaxChars"/>.</summary>
    public bool Full => _lines.Count >= Capacity || _charsFull;
    /// <summary>The lines shown: those of the chosen streams, oldest first.</summary>
    public IReadOnlyList<LogLine> View => _view;
    /// <summary><see cref="View"/> as Virtualize takes it (an ICollection); read-only by contract.</summary>
    public ICollection<LogLine> ViewItems => _view;
    /// <summary>Older lines exist before the window (the log's start was not reached, or lines were dropped).</summary>
    public bool HasOlder => _start > 0;
    /// <summary>Newer lines exist after the window (dropped to load older ones): following is off until a reset.</summary>
    public bool HasNewer { get; private set; }
    /// <summary>Where the window begins (the cursor for "load older") and where following resumes (lines at offsets
    /// already held are skipped when they come again).</summary>
    public long Start => _start;
    public long End => _end;

    public StreamFilter Filter
    {
        get;
        set { if (field != value) { field = value; Rebuild(); } }
    } = StreamFilter.Both;

    public string Query
    {
        get;
        set { value ??= ""; if (field != value) { field = value; _matches = null; _currentOffset = null; } }
    } = "";

    /// <summary>Replaces the window with a tail of the log.</summary>
    public void Reset(LogChunk tail)
    {
        _lines.Clear();
        _chars = 0;
        _charsFull = false;
        HasNewer = false;
        _start = tail.Start;
        _end = tail.End;
        Add(_lines.Count, tail.Lines);
        TrimOldest();
        Rebuild();
    }

    /// <summary>Adds lines read by following (lines already held are skipped); drops the oldest beyond the capacity.</summary>
    public void Append(IReadOnlyList<LogLine> lines)
    {
        if (HasNewer || lines.Count == 0) return;
        long last = _lines.Count > 0 ? _lines[^1].Offset : -1;
        int from = 0;
        while (from < lines.Count && lines[from].Offset <= last) from++;
        if (from == lines.Count) return;
        // Only the last Capacity lines of a large batch can stay: skip the rest without adding them.
        from += Math.Max(0, lines.Count - from - Capacity);
        var fresh = new List<LogLine>(lines.Count - from);
        for (int i = from; i < lines.Count; i++) fresh.Add(lines[i]);
        bool skipped = from > 0 && lines[from - 1].Offset > last;
        _end = fresh[^1].Offset;
        Add(_lines.Count, fresh);
        if (TrimOldest() > 0 || skipped)
        {
            _start = _lines[0].Offset;
            Rebuild();
            return;
        }
        foreach (var l in fresh) if (Shows(l)) _view.Add(l);
        _matches = null;
    }

    /// <summary>Adds lines read before the window; drops the newest beyond the capacity (and marks HasNewer).</summary>
    public void Prepend(LogChunk older)
    {
        long first = _lines.Count > 0 ? _lines[0].Offset : long.MaxValue;
        var fresh = older.Lines.Where(l => l.Offset < first).ToList();
        _start = Math.Min(_start, older.Start);
        Add(0, fresh);
        int keep = 0;
        long chars = 0;
        while (keep < _lines.Count && keep < Capacity && (keep == 0 || chars + _lines[keep].Text.Length <= MaxChars))
            chars += _lines[keep++].Text.Length;
        if (keep < _lines.Count)
        {
            Remove(keep, _lines.Count - keep);
            HasNewer = true;
            _end = _lines[^1].Offset;
        }
        Rebuild();
    }

    private int TrimOldest()
    {
        int extra = Math.Max(0, _lines.Count - Capacity);
        long chars = _chars;
        for (int i = 0; i < extra; i++) chars -= _lines[i].Text.Length;
        while (extra < _lines.Count - 1 && chars > MaxChars)
        {
            chars -= _lines[extra++].Text.Length;
            _charsFull = true;
        }
        if (extra == 0) return 0;
        Remove(0, extra);
        _start = _lines[0].Offset;
        return extra;
    }

    private void Add(int at, IReadOnlyList<LogLine> lines)
    {
        _lines.InsertRange(at, lines);
        foreach (var l in lines) _chars += l.Text.Length;
    }

    private void Remove(int at, int count)
    {
        for (int i = at; i < at + count; i++) _chars -= _lines[i].Text.Length;
        _lines.RemoveRange(at, count);
    }

    private bool Shows(LogLine l) => Filter switch
    {
        StreamFilter.Stdout => l.Stream == LogStream.Stdout,
        StreamFilter.Stderr => l.Stream == LogStream.Stderr,
        _ => true,
    };

    private void Rebuild()
    {
        _view = Filter == StreamFilter.Both ? [.. _lines] : _lines.Where(Shows).ToList();
        _matches = null;
    }

    // ---- search ----

    /// <summary>Whether the line's text without ANSI escape sequences (what is shown) holds the query.</summary>
    public bool IsMatch(LogLine line) => Query.Length > 0 && AnsiText.Strip(line.Text).Contains(Query, StringComparison.OrdinalIgnoreCase);

    /// <summary>Indexes into <see cref="View"/> of the lines that match the query, computed when first asked after a change.</summary>
    public IReadOnlyList<int> Matches
    {
        get
        {
            if (_matches is null)
            {
                _matches = [];
                if (Query.Length > 0)
                    for (int i = 0; i < _view.Count; i++) if (IsMatch(_view[i])) _matches.Add(i);
            }
            return _matches;
        }
    }

    /// <summary>The current match's position among <see cref="Matches"/>, or -1.</summary>
    public int CurrentMatch => _currentOffset is long o && Matches.Count > 0 ? IndexOfMatch(o) : -1;

    /// <summary>The offset of the current match's line (to mark it), or null.</summary>
    public long? CurrentOffset => CurrentMatch >= 0 ? _currentOffset : null;

    /// <summary>Moves to the next (or previous) match, wrapping around; returns its index in <see cref="View"/>, or -1.</summary>
    public int Move(bool forward)
    {
        var m = Matches;
        if (m.Count == 0) return -1;
        int at = CurrentMatch;
        int next = at < 0 ? (forward ? 0 : m.Count - 1) : (at + (forward ? 1 : -1) + m.Count) % m.Count;
        _currentOffset = _view[m[next]].Offset;
        return m[next];
    }

    private int IndexOfMatch(long offset)
    {
        var m = Matches;
        int lo = 0, hi = m.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            long o = _view[m[mid]].Offset;
            if (o == offset) return mid;
            if (o < offset) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }
}
