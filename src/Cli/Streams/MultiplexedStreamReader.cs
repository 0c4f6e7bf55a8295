using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace MyDocker.Cli.Streams;

/// <summary>
/// Decodes Docker's multiplexed stdout/stderr stream (the body of <c>GET /containers/{id}/logs</c> for a container
/// without a TTY, content type <c>application/vnd.docker.multiplexed-stream</c>): frames of an 8-byte header
/// <c>[STREAM, 0, 0, 0, SIZE as big-endian uint32]</c> followed by SIZE bytes of payload, where STREAM is 0 stdin
/// (written as stdout, as Docker's stdcopy does), 1 stdout, 2 stderr, 3 an error the daemon hit while streaming.
/// A frame's payload is copied in buffer-sized pieces, so a large frame costs no large allocation, and each stream
/// keeps its own UTF-8 decoder, so a character split across frames or reads comes out whole.
/// </summary>
public static class MultiplexedStreamReader
{
    public const int HeaderSize = 8;
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte SystemError = 3;

    private const int BufferSize = 32 * 1024;

    /// <summary>Copies every frame of <paramref name="source"/> to the writer of its stream until the stream ends,
    /// flushing after each frame so followed output shows up at once.</summary>
    /// <exception cref="DaemonException">The stream is truncated inside a frame, has an unknown stream type, or
    /// carries a daemon error frame (its text is the message).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public static async Task CopyAsync(Stream source, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var header = new byte[HeaderSize];
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(BufferSize));
        var outDecoder = Encoding.UTF8.GetDecoder();
        var errDecoder = Encoding.UTF8.GetDecoder();
        try
        {
            while (true)
            {
                int got = await source.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (got == 0) break; // a clean end between frames: the container's output is complete
                if (got < HeaderSize)
                    throw new DaemonException($"the log stream ended inside a frame header ({got} of {HeaderSize} bytes)");
                byte kind = header[0];
                long remaining = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                if (kind == SystemError)
                {
                    var message = await ReadPayloadAsync(source, remaining, ct).ConfigureAwait(false);
                    throw new DaemonException("the daemon failed while streaming logs: " + message.Trim());
                }
                var (writer, decoder) = kind switch
                {
                    Stdin or Stdout => (stdout, outDecoder),
                    Stderr => (stderr, errDecoder),
                    _ => throw new DaemonException($"the log stream has a frame of unknown stream type {kind}; is this a Docker multiplexed stream?"),
                };
                while (remaining > 0)
                {
                    int n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(remaining, buffer.Length)), ct).ConfigureAwait(false);
                    if (n == 0) throw new DaemonException($"the log stream ended inside a frame ({remaining} bytes missing)");
                    remaining -= n;
                    int count = decoder.GetChars(buffer, 0, n, chars, 0, flush: false);
                    writer.Write(chars, 0, count);
                }
                writer.Flush();
            }
            Flush(outDecoder, stdout, chars);
            Flush(errDecoder, stderr, chars);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Copies a raw (TTY) stream, which has no frames, to <paramref name="stdout"/>.</summary>
    public static async Task CopyRawAsync(Stream source, TextWriter stdout, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(BufferSize));
        var decoder = Encoding.UTF8.GetDecoder();
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                stdout.Write(chars, 0, decoder.GetChars(buffer, 0, n, chars, 0, flush: false));
                stdout.Flush();
            }
            Flush(decoder, stdout, chars);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Encodes one frame (for tests and fakes; the daemon writes its own).</summary>
    public static byte[] Frame(byte stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderSize + payload.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    private static async Task<string> ReadPayloadAsync(Stream source, long size, CancellationToken ct)
    {
        // An error frame is a short message; read at most 64 KiB of it.
        var payload = new byte[(int)Math.Min(size, 64 * 1024)];
        int got = await source.ReadAtLeastAsync(payload, payload.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return Encoding.UTF8.GetString(payload, 0, got);
    }

    // A stream that ends inside a UTF-8 sequence: the decoder's leftover bytes come out as U+FFFD.
    private static void Flush(Decoder decoder, TextWriter writer, char[] chars)
    {
        int count = decoder.GetChars([], 0, 0, chars, 0, flush: true);
        if (count == 0) return;
        writer.Write(chars, 0, count);
        writer.Flush();
    }
}
