using System.IO.Compression;
using System.Security.Cryptography;

namespace MyDocker.Engine.Images;

/// <summary>A read-only stream that hashes (SHA-256) and counts every byte read through it: a layer's diffID is the
/// digest of its uncompressed tar, computed while it is unpacked so the tar is read once.</summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>Reads what is left (tar padding after the end-of-archive blocks counts in the digest too) and returns "sha256:HEX".</summary>
    public string Finish()
    {
        CopyTo(Null);
        return "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Replays a few bytes already read (the magic number) before the rest of a non-seekable stream.</summary>
internal sealed class PrefixedReadStream(byte[] prefix, int prefixLength, Stream inner) : Stream
{
    private int _offset;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset < prefixLength)
        {
            int n = Math.Min(buffer.Length, prefixLength - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }
        return inner.Read(buffer);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Recognises compressed tarballs by their magic bytes (the media type, where there is one, can lie).</summary>
internal static class Compression
{
    /// <summary>The tar inside <paramref name="stream"/>: gunzipped when it starts with the gzip magic (1f 8b).
    /// zstd and bzip2/xz are refused by name, so the user learns what to convert.</summary>
    public static Stream OpenTar(Stream stream, string what)
    {
        var magic = new byte[4];
        int n = 0;
        while (n < magic.Length)
        {
            int r = stream.Read(magic, n, magic.Length - n);
            if (r == 0) break;
            n += r;
        }
        var whole = new PrefixedReadStream(magic, n, stream);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(whole, CompressionMode.Decompress);
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            throw EngineException.Invalid($"{what} is zstd-compressed, which MyDocker cannot unpack yet; give it as a plain or gzip-compressed tar");
        if (n >= 3 && magic[0] == (byte)'B' && magic[1] == (byte)'Z' && magic[2] == (byte)'h')
            throw EngineException.Invalid($"{what} is bzip2-compressed; give it as a plain or gzip-compressed tar");
        if (n >= 4 && magic[0] == 0xfd && magic[1] == (byte)'7' && magic[2] == (byte)'z' && magic[3] == (byte)'X')
            throw EngineException.Invalid($"{what} is xz-compressed; give it as a plain or gzip-compressed tar");
        return whole;
    }
}
