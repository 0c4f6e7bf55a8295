using System.IO.Compression;
using System.Security.Cryptography;

namespace MyDocker.Engine.Images;

/// <summary>A read-only stream that hashes (SHA-256) and counts every byte read through it: a layer's diffID is the
/// digest of its uncompressed tar, computed while it is unpacked so the tar is read once.</summary>
internal sealed class HashingReadStream(Stream inner) : Common.ReadOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>
    /// Reads what is left (padding after the end-of-archive blocks counts in the digest too) and returns "sha256:HEX".
    /// Throws InvalidDataException when what is left is not all zeros: System.Formats.Tar's reader ends the archive
    /// quietly at a header whose checksum is wrong, so data after the "end" means a damaged header, not the end.
    /// </summary>
    public string Finish()
    {
        var buffer = new byte[81920];
        long offset = BytesRead;
        int n;
        while ((n = Read(buffer)) > 0)
        {
            int bad = buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0);
            if (bad >= 0)
                throw new InvalidDataException(
                    $"a damaged tar header (bad checksum) or unexpected data at byte {BytesRead - n + bad} ends the archive early (the reader stopped at byte {offset})");
        }
        return "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        _verifier.Feed(buffer[..n], BytesRead);
        BytesRead += n;
        return n;
    }

    private readonly TarHeaderVerifier _verifier = new();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Replays a few bytes already read (the magic number) before the rest of a non-seekable stream.</summary>
internal sealed class PrefixedReadStream(byte[] prefix, int prefixLength, Stream inner) : Common.ReadOnlyStream
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

}

/// <summary>Recognises compressed tarballs by their magic bytes (the media type, where there is one, can lie).</summary>
internal static class Compression
{
    /// <summary>
    /// Whether <paramref name="e"/>, thrown while an archive was parsed, means the input is malformed. System.Formats.Tar,
    /// GZipStream and JsonElement throw many types for bad input (InvalidDataException, FormatException, OverflowException,
    /// InvalidOperationException, ArgumentException…); listing them left the others as HTTP 500s (audit L7). So
    /// everything counts except what is not about the input: I/O and permission errors of our own disk (IOException
    /// other than EndOfStreamException), kernel errors, engine errors (already worded), cancellation and lack of memory.
    /// </summary>
    public static bool IsMalformedInput(Exception e) => e switch
    {
        EngineException or OperationCanceledException or UnauthorizedAccessException or OutOfMemoryException
            or Kernel.KernelException => false,
        EndOfStreamException => true,
        IOException => false,
        _ => true,
    };

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

/// <summary>
/// Follows the tar block structure of the bytes read and checks every header's checksum. System.Formats.Tar does not
/// (a header with a wrong checksum is read as if it were good), so without this a damaged tarball could unpack into
/// wrong files. Knows the data sizes of entries, including a PAX "size" record overriding the next header's.
/// </summary>
internal sealed class TarHeaderVerifier
{
    /// <summary>The largest PAX extended header or GNU long name/link accepted: Go's archive/tar limit
    /// (maxSpecialFileSize = 1 &lt;&lt; 20 in format.go), which Docker reads archives with.</summary>
    public const int MaxSpecialEntrySize = 1 << 20;

    private readonly byte[] _header = new byte[512];
    private int _headerFill;
    private long _skip;             // data and padding bytes still to pass before the next header
    private MemoryStream? _pax;     // the data of a PAX extended header being collected
    private long _paxRemaining;
    private long? _nextSize;        // a PAX "size" for the next header
    private bool _ended;

    public void Feed(ReadOnlySpan<byte> data, long offset)
    {
        while (!data.IsEmpty && !_ended)
        {
            if (_skip > 0)
            {
                int n = (int)Math.Min(_skip, data.Length);
                if (_pax is not null && _paxRemaining > 0)
                {
                    int take = (int)Math.Min(_paxRemaining, n);
                    _pax.Write(data[..take]);
                    _paxRemaining -= take;
                    if (_paxRemaining == 0) ParsePax();
                }
                _skip -= n;
                data = data[n..];
                offset += n;
                continue;
            }
            int copy = Math.Min(512 - _headerFill, data.Length);
            data[..copy].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += copy;
            data = data[copy..];
            offset += copy;
            if (_headerFill == 512)
            {
                _headerFill = 0;
                Header(offset - 512);
            }
        }
    }

    private void Header(long at)
    {
        var h = _header.AsSpan();
        if (h.IndexOfAnyExcept((byte)0) < 0) { _ended = true; return; }
        long stored = ParseNumber(h.Slice(148, 8));
        long unsignedSum = 0, signedSum = 0;
        for (int i = 0; i < 512; i++)
        {
            byte b = i is >= 148 and < 156 ? (byte)' ' : h[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }
        if (stored != unsignedSum && stored != signedSum)
            throw new InvalidDataException($"the tar header at byte {at} is damaged (its checksum does not match)");
        byte type = h[156];
        long size = _nextSize ?? ParseNumber(h.Slice(124, 12));
        _nextSize = null;
        // Links, directories, devices and fifos carry no data whatever their size field says (as Go's archive/tar reads them).
        if (type is (byte)'1' or (byte)'2' or (byte)'3' or (byte)'4' or (byte)'5' or (byte)'6') size = 0;
        if (size < 0) throw new InvalidDataException($"the tar header at byte {at} has a negative size");
        // System.Formats.Tar reads these whole into one buffer, so the size a header declares is an allocation the
        // archive chooses (up to ~2 GiB). Refused here, while the header block is still being handed to the reader.
        if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K' && size > MaxSpecialEntrySize)
            throw new InvalidDataException(
                $"the tar header at byte {at} declares {(type is (byte)'x' or (byte)'g' ? "a PAX extended header" : "a GNU long name")} of {size} bytes; " +
                $"at most {MaxSpecialEntrySize} are accepted");
        _skip = (size + 511) / 512 * 512;
        _pax = null;
        if (type == (byte)'x' && size > 0)
        {
            _pax = new MemoryStream();
            _paxRemaining = size;
        }
    }

    private void ParsePax()
    {
        var text = System.Text.Encoding.UTF8.GetString(_pax!.GetBuffer(), 0, (int)_pax.Length);
        foreach (var line in text.Split('\n'))
        {
            int space = line.IndexOf(' ');
            if (space < 0) continue;
            var record = line[(space + 1)..];
            if (record.StartsWith("size=", StringComparison.Ordinal) && long.TryParse(record[5..], out long size)) _nextSize = size;
        }
        _pax = null;
    }

    /// <summary>A numeric header field: octal text (NUL/space padded) or GNU base-256 (high bit of the first byte set).</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long v = field[0] & 0x7f;
            for (int i = 1; i < field.Length; i++) v = (v << 8) | field[i];
            return v;
        }
        long n = 0;
        foreach (byte b in field)
        {
            if (b is (byte)' ' or 0) { if (n > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new InvalidDataException("a tar header holds a malformed number (the header is damaged)");
            n = n * 8 + (b - '0');
        }
        return n;
    }
}
