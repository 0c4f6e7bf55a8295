using System.Buffers.Binary;
using System.Net;
using System.Text;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// Iterates the attributes (struct nlattr / rtattr) of a message or of a nested attribute. The type has the
/// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits removed. Stops at the first attribute whose length is impossible,
/// as the kernel's nla_ok() does.
/// </summary>
internal ref struct NetlinkAttributeReader
{
    private const ushort NLA_TYPE_MASK = 0x3fff;
    private ReadOnlySpan<byte> _remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes) => _remaining = attributes;

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        if (_remaining.Length >= NlAttrHeaderLength)
        {
            int length = ReadUInt16(_remaining);
            if (length >= NlAttrHeaderLength && length <= _remaining.Length)
            {
                type = (ushort)(ReadUInt16(_remaining[2..]) & NLA_TYPE_MASK);
                value = _remaining[NlAttrHeaderLength..length];
                int next = NetlinkMessageWriter.Align(length);
                _remaining = next >= _remaining.Length ? default : _remaining[next..];
                return true;
            }
        }
        _remaining = default;
        type = 0;
        value = default;
        return false;
    }

    /// <summary>A string attribute up to its NUL terminator.</summary>
    public static string GetString(ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? value : value[..nul]);
    }

    public static uint GetUInt32(ReadOnlySpan<byte> value) =>
        value.Length >= 4 ? ReadUInt32(value) : throw new InvalidDataException($"Netlink u32 attribute has {value.Length} bytes.");

    public static IPAddress GetIPv4(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new IPAddress(value) : throw new InvalidDataException($"Netlink IPv4 attribute has {value.Length} bytes.");

    // Netlink integers are in host byte order.
    internal static ushort ReadUInt16(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    internal static uint ReadUInt32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    internal static int ReadInt32(ReadOnlySpan<byte> s) => (int)ReadUInt32(s);
}
