using System.Buffers.Binary;

namespace MyDocker.UnitTests.Resolver;

/// <summary>Queries as bytes for the resolver tests, written out by hand (RFC 1035 §4.1) so the golden replies can be
/// read next to them.</summary>
internal static class DnsBytes
{
    /// <summary>"12 34 01 00" → bytes; spaces ignored.</summary>
    public static byte[] Hex(string text) => Convert.FromHexString(text.Replace(" ", "", StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) =>
        string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A standard query (id 0x1234, RD) for <paramref name="name"/>, in a 512-byte buffer as the receive path has.</summary>
    public static byte[] Query(string name, ushort type = 1, ushort @class = 1) => Buffer(QueryBytes(name, type, @class), out _);

    public static byte[] QueryBytes(string name, ushort type = 1, ushort @class = 1)
    {
        var bytes = new List<byte> { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(label.Select(c => (byte)c));
        }
        bytes.Add(0);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(tail, type);
        BinaryPrimitives.WriteUInt16BigEndian(tail[2..], @class);
        bytes.AddRange(tail.ToArray());
        return [.. bytes];
    }

    /// <summary><paramref name="message"/> at the start of a 512-byte buffer.</summary>
    public static byte[] Buffer(byte[] message, out int length)
    {
        var buffer = new byte[Math.Max(512, message.Length)];
        message.CopyTo(buffer, 0);
        length = message.Length;
        return buffer;
    }

    public static uint Address(string text) => MyDocker.Resolver.Names.ResolverName.ToHostOrder(System.Net.IPAddress.Parse(text));
}
