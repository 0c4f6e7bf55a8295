using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// Writes netlink messages into a caller-provided buffer (usually stack memory): nlmsghdr, the rtnetlink family
/// headers, and attributes, nested ones included. Integers are in host byte order as netlink requires; addresses
/// in network order. Every message and attribute is padded to 4 bytes (NLMSG_ALIGN / RTA_ALIGN) with zeros.
/// </summary>
internal ref struct NetlinkMessageWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _messageStart;

    public NetlinkMessageWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _messageStart = -1;
    }

    /// <summary>The bytes written so far (whole messages once <see cref="EndMessage"/> was called).</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>Starts a message; its length is filled in by <see cref="EndMessage"/>. The port id is 0 (the kernel fills it in).</summary>
    public void BeginMessage(ushort type, ushort flags, uint sequence)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("The previous netlink message was not ended.");
        _messageStart = _position;
        var header = Reserve(NlMsgHdrLength);
        WriteUInt32(header, 0);
        WriteUInt16(header[4..], type);
        WriteUInt16(header[6..], flags);
        WriteUInt32(header[8..], sequence);
        WriteUInt32(header[12..], 0);
    }

    /// <summary>Completes the current message (nlmsg_len) and returns its length.</summary>
    public int EndMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("No netlink message was begun.");
        int length = _position - _messageStart;
        WriteUInt32(_buffer[_messageStart..], (uint)length);
        _messageStart = -1;
        return length;
    }

    /// <summary>struct ifinfomsg. <paramref name="change"/> selects which bits of <paramref name="flags"/> the kernel applies.</summary>
    public void WriteIfInfoMsg(byte family, int index, uint flags = 0, uint change = 0)
    {
        var s = Reserve(IfInfoMsgLength);
        s[0] = family;
        s[1] = 0;
        WriteUInt16(s[2..], 0); // ifi_type: ARPHRD_*, output only
        WriteUInt32(s[4..], (uint)index);
        WriteUInt32(s[8..], flags);
        WriteUInt32(s[12..], change);
    }

    /// <summary>struct ifaddrmsg.</summary>
    public void WriteIfAddrMsg(byte family, byte prefixLength, byte flags, byte scope, int index)
    {
        var s = Reserve(IfAddrMsgLength);
        s[0] = family;
        s[1] = prefixLength;
        s[2] = flags;
        s[3] = scope;
        WriteUInt32(s[4..], (uint)index);
    }

    /// <summary>struct rtmsg (only the fields a dump request or a simple route request needs).</summary>
    public void WriteRtMsg(byte family, byte destinationLength = 0, byte table = 0, byte protocol = 0, byte scope = 0, byte type = 0)
    {
        var s = Reserve(RtMsgLength);
        s[0] = family;
        s[1] = destinationLength;
        s[2] = 0; // rtm_src_len
        s[3] = 0; // rtm_tos
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        WriteUInt32(s[8..], 0); // rtm_flags
    }

    /// <summary>struct tcmsg (qdiscs and filters): <paramref name="info"/> is a filter's TC_H_MAKE(priority &lt;&lt; 16,
    /// protocol in network order).</summary>
    public void WriteTcMsg(int ifindex, uint handle, uint parent, uint info)
    {
        var s = Reserve(TcMsgLength);
        s[..4].Clear(); // tcm_family AF_UNSPEC and padding
        WriteUInt32(s[4..], (uint)ifindex);
        WriteUInt32(s[8..], handle);
        WriteUInt32(s[12..], parent);
        WriteUInt32(s[16..], info);
    }

    /// <summary>
    /// struct nfgenmsg, the family header of every nfnetlink (NETLINK_NETFILTER) message: u8 family, u8 version,
    /// be16 res_id. 4 bytes, so no padding.
    /// </summary>
    public void WriteNfGenMsg(byte family, byte version, ushort resourceId)
    {
        var s = Reserve(4);
        s[0] = family;
        s[1] = version;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], resourceId);
    }

    public void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var s = ReserveAttribute(type, value.Length);
        value.CopyTo(s);
    }

    public void WriteAttributeUInt32(ushort type, uint value) => WriteUInt32(ReserveAttribute(type, 4), value);

    public void WriteAttributeUInt16(ushort type, ushort value) => WriteUInt16(ReserveAttribute(type, 2), value);

    /// <summary>A NUL-terminated UTF-8 string (NLA_STRING / NLA_NUL_STRING both accept the terminator).</summary>
    public void WriteAttributeString(ushort type, string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        var s = ReserveAttribute(type, length + 1);
        Encoding.UTF8.GetBytes(value, s);
        s[length] = 0;
    }

    /// <summary>An IPv4 address, 4 bytes in network order.</summary>
    public void WriteAttributeIPv4(ushort type, IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        if (!address.TryWriteBytes(ReserveAttribute(type, 4), out _))
            throw new InvalidOperationException("IPv4 address did not fit in 4 bytes.");
    }

    /// <summary>Starts a nested attribute; returns the token for <see cref="EndNested"/>. Like iproute2's addattr_nest, NLA_F_NESTED is not set.</summary>
    public int BeginNested(ushort type)
    {
        int start = _position;
        var header = Reserve(NlAttrHeaderLength);
        WriteUInt16(header, 0);
        WriteUInt16(header[2..], type);
        return start;
    }

    /// <summary>Completes a nested attribute: its length covers everything written since <see cref="BeginNested"/>.</summary>
    public void EndNested(int token) => WriteUInt16(_buffer[token..], checked((ushort)(_position - token)));

    private Span<byte> ReserveAttribute(ushort type, int valueLength)
    {
        int length = NlAttrHeaderLength + valueLength;
        var s = Reserve(length);
        WriteUInt16(s, checked((ushort)length));
        WriteUInt16(s[2..], type);
        return s.Slice(NlAttrHeaderLength, valueLength);
    }

    /// <summary>Reserves <paramref name="length"/> bytes plus zeroed padding to the next 4-byte boundary.</summary>
    private Span<byte> Reserve(int length)
    {
        int aligned = Align(length);
        if (_position + aligned > _buffer.Length)
            throw new InvalidOperationException($"Netlink request does not fit in its {_buffer.Length}-byte buffer.");
        var s = _buffer.Slice(_position, aligned);
        s[length..].Clear();
        _position += aligned;
        return s[..length];
    }

    // Netlink integers are in host byte order.
    internal static void WriteUInt16(Span<byte> s, ushort v)
    {
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        else BinaryPrimitives.WriteUInt16BigEndian(s, v);
    }

    internal static void WriteUInt32(Span<byte> s, uint v)
    {
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        else BinaryPrimitives.WriteUInt32BigEndian(s, v);
    }
}
