using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>One netlink message: the nlmsghdr fields and the payload after the header.</summary>
internal readonly ref struct NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
{
    public ushort Type { get; } = type;
    public ushort Flags { get; } = flags;
    public uint Sequence { get; } = sequence;
    public uint PortId { get; } = portId;
    public ReadOnlySpan<byte> Payload { get; } = payload;
}

/// <summary>Iterates the messages of one received datagram (a dump packs many into one).</summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram) => _remaining = datagram;

    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_remaining.Length < NlMsgHdrLength) return false;
        uint length = NetlinkAttributeReader.ReadUInt32(_remaining);
        if (length < NlMsgHdrLength || length > _remaining.Length)
            throw new InvalidDataException($"Malformed netlink message: length {length}, {_remaining.Length} bytes left in the datagram.");
        message = new NetlinkMessage(
            type: NetlinkAttributeReader.ReadUInt16(_remaining[4..]),
            flags: NetlinkAttributeReader.ReadUInt16(_remaining[6..]),
            sequence: NetlinkAttributeReader.ReadUInt32(_remaining[8..]),
            portId: NetlinkAttributeReader.ReadUInt32(_remaining[12..]),
            payload: _remaining[NlMsgHdrLength..(int)length]);
        int next = NetlinkMessageWriter.Align((int)length);
        _remaining = next >= _remaining.Length ? default : _remaining[next..];
        return true;
    }
}
