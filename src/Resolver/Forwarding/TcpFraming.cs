using System.Buffers.Binary;

namespace MyDocker.Resolver.Forwarding;

/// <summary>DNS over TCP: each message behind its two-byte length (RFC 1035 §4.2.2).</summary>
public static class TcpFraming
{
    /// <summary>The next message, or null at a clean end of stream before its length.</summary>
    public static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancel)
    {
        var prefix = new byte[2];
        if (!await ReadExactlyOrEndAsync(stream, prefix, cancel)) return null;
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, cancel);
        return message;
    }

    public static async Task WriteMessageAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancel)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed.AsMemory(2));
        await stream.WriteAsync(framed, cancel);
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancel)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancel);
        if (read == 0) return false;
        if (read < buffer.Length) throw new EndOfStreamException("the TCP peer closed inside a message length");
        return true;
    }
}
