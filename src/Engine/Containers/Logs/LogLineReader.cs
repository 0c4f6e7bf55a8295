namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Reads a log's lines forward from an offset and keeps its place and its unfinished lines between calls, so following
/// a log reads each byte once, however long a line grows before its newline comes: <see cref="RecordReader"/> for the
/// records, <see cref="LineAssembler"/> for the lines. Not thread-safe.
/// </summary>
internal sealed class LogLineReader(long start, LineAssembler lines)
{
    private RecordReader _records = new(start);

    /// <summary>Where a new reader must begin to return every line this one has not: the first record of the oldest
    /// unfinished line, or past the last record read.</summary>
    public long Resume => Math.Min(_records.Position, lines.OldestOpen ?? long.MaxValue);

    /// <summary>How far the file has been read (a file now shorter was truncated).</summary>
    public long Fetched => _records.Fetched;

    /// <summary>Reads the next file from its start; lines left unfinished go on in it (conmon may write a line's
    /// first pieces to the old file and its end to the new one).</summary>
    public void Restart() => _records = new RecordReader(0);

    /// <summary>The lines completed by the records before <paramref name="end"/>, in the order they end, until
    /// <paramref name="maxLines"/> lines or about <paramref name="maxChars"/> characters of text are read.</summary>
    public List<LogLine> Read(Stream file, long end, int maxLines, long maxChars)
    {
        var output = new List<LogLine>();
        long chars = 0;
        while (output.Count < maxLines && chars < maxChars && _records.TryRead(file, end, out long offset, out var line))
        {
            if (!K8sFileFormat.TryParse(line, out var record)) continue;
            int before = output.Count;
            lines.Add(record, offset, output);
            for (int i = before; i < output.Count; i++) chars += output[i].Text.Length;
        }
        return output;
    }
}
