namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Reads a k8s-file log's records forward from an offset, one block at a time, and keeps its place between calls (a
/// follower reads what was appended without going back). Memory is one block whatever the file holds: a "record"
/// longer than a block is not one conmon writes (its records carry at most its 8 KiB read buffer, STDIO_BUF_SIZE in
/// conmon's src/config.h) and is skipped up to its newline. Not thread-safe.
/// </summary>
internal sealed class RecordReader(long position)
{
    /// <summary>The read size, and the longest record kept.</summary>
    public const int BlockSize = 64 * 1024;

    private readonly byte[] _buffer = new byte[BlockSize];
    private long _bufferOffset = position; // file offset of _buffer[0]
    private int _start, _end;              // bytes read but not yet returned: _buffer[_start.._end)
    private int _scanned;                  // _buffer[_start.._scanned) holds no newline
    private bool _skipping;                // inside an over-long line: drop bytes up to its newline

    /// <summary>Just past the last record returned: where an unfinished record (if any) begins.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>How far the file has been read.</summary>
    public long Fetched => _bufferOffset + _end;

    /// <summary>
    /// The next whole record (without its "\n") before <paramref name="limit"/> and its offset, reading from
    /// <paramref name="file"/> as needed; false when none is complete yet (call again once the file grew). The bytes
    /// are valid until the next call.
    /// </summary>
    public bool TryRead(Stream file, long limit, out long offset, out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            int from = Math.Max(_start, _scanned);
            int nl = _buffer.AsSpan(from, _end - from).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int at = _start, stop = from + nl;
                _start = _scanned = stop + 1;
                if (_skipping) { _skipping = false; continue; }
                offset = _bufferOffset + at;
                line = _buffer.AsMemory(at, stop - at);
                return true;
            }
            _scanned = _end;
            if (_skipping || _end - _start == _buffer.Length)
            {
                // A whole block without a newline: drop it and the rest of its line.
                _skipping = true;
                _bufferOffset += _end;
                _start = _end = _scanned = 0;
            }
            else if (_start > 0)
            {
                // Move the unfinished record to the front to make room.
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _bufferOffset += _start;
                _end -= _start;
                _scanned = _end;
                _start = 0;
            }
            long readAt = Fetched;
            int n = readAt >= limit ? 0 : ReadAt(file, readAt, _buffer.AsSpan(_end, (int)Math.Min(_buffer.Length - _end, limit - readAt)));
            if (n <= 0)
            {
                offset = 0;
                line = default;
                return false;
            }
            _end += n;
        }
    }

    private static int ReadAt(Stream file, long offset, Span<byte> into)
    {
        file.Position = offset;
        return file.Read(into);
    }
}
