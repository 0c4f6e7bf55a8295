namespace MyDocker.TestSupport;

/// <summary><paramref name="prefix"/>, then 'a' up to <paramref name="length"/> bytes (endless by default), generated
/// as read: an archive far larger than memory, for the tests of what a reader refuses before reading it.</summary>
internal sealed class GeneratedStream(byte[] prefix, long length = long.MaxValue) : Stream
{
    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int n = (int)Math.Min(count, length - BytesRead);
        for (int i = 0; i < n; i++, BytesRead++)
            buffer[offset + i] = BytesRead < prefix.Length ? prefix[BytesRead] : (byte)'a';
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
