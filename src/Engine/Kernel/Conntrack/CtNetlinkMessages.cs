using System.Buffers.Binary;
using System.Net;
using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Conntrack.CtNetlinkConstants;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Conntrack;

/// <summary>
/// One direction of a conntrack entry. Addresses are kept as the 4 bytes of the wire read big-endian (so
/// 10.0.0.1 is 0x0A000001) and ports in host order: comparing and storing one costs no allocation.
/// </summary>
internal readonly record struct CtTuple(uint Source, uint Destination, byte Protocol, ushort SourcePort, ushort DestinationPort)
{
    public static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || !address.TryWriteBytes(bytes, out _))
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress ToAddress(uint address)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}

/// <summary>
/// An IPv4 entry as listed by the kernel: both tuples, its id (CTA_ID) and its zone, which together name it
/// exactly for a delete. <see cref="OriginalZone"/> is set only for a zone bound to the original direction
/// (CTA_TUPLE_ZONE inside CTA_TUPLE_ORIG); <see cref="Zone"/> for a zone of both directions (CTA_ZONE).
/// </summary>
internal readonly record struct CtEntry(CtTuple Original, CtTuple Reply, uint? Id, ushort? Zone, ushort? OriginalZone);

/// <summary>Builds ctnetlink requests and parses its replies. No socket: unit-tested with golden bytes.</summary>
internal static class CtNetlinkMessages
{
    /// <summary>
    /// IPCTNL_MSG_CT_GET with NLM_F_DUMP for family AF_INET. A non-zero nfgen_family makes the kernel filter the
    /// dump to that L3 family (ctnetlink_start → ctnetlink_alloc_filter in net/netfilter/nf_conntrack_netlink.c).
    /// </summary>
    public static void DumpIPv4(ref NetlinkMessageWriter w, uint sequence)
    {
        w.BeginMessage(CtGet, NLM_F_REQUEST | NLM_F_DUMP, sequence);
        w.WriteNfGenMsg(AF_INET, NFNETLINK_V0, 0);
        w.EndMessage();
    }

    /// <summary>
    /// IPCTNL_MSG_CT_DELETE of one entry, named by its ORIGINAL tuple (and zone). With CTA_ID the kernel deletes
    /// the entry only if it is still the one that was listed (ctnetlink_del_conntrack compares the id and answers
    /// ENOENT otherwise), so a new connection that reuses the same tuple after the listing is never removed.
    /// </summary>
    public static void Delete(ref NetlinkMessageWriter w, uint sequence, in CtEntry entry)
    {
        w.BeginMessage(CtDelete, NLM_F_REQUEST | NLM_F_ACK, sequence);
        w.WriteNfGenMsg(AF_INET, NFNETLINK_V0, 0);
        var o = entry.Original;
        int tuple = w.BeginNested(CTA_TUPLE_ORIG);
        int ip = w.BeginNested(CTA_TUPLE_IP);
        WriteUInt32BigEndian(ref w, CTA_IP_V4_SRC, o.Source);
        WriteUInt32BigEndian(ref w, CTA_IP_V4_DST, o.Destination);
        w.EndNested(ip);
        int proto = w.BeginNested(CTA_TUPLE_PROTO);
        w.WriteAttribute(CTA_PROTO_NUM, [o.Protocol]);
        // ctnetlink_parse_tuple asks the L4 protocol for its fields: TCP, UDP and SCTP require both ports.
        if (HasPorts(o.Protocol))
        {
            WriteUInt16BigEndian(ref w, CTA_PROTO_SRC_PORT, o.SourcePort);
            WriteUInt16BigEndian(ref w, CTA_PROTO_DST_PORT, o.DestinationPort);
        }
        w.EndNested(proto);
        if (entry.OriginalZone is { } originalZone) WriteUInt16BigEndian(ref w, CTA_TUPLE_ZONE, originalZone);
        w.EndNested(tuple);
        if (entry.Zone is { } zone) WriteUInt16BigEndian(ref w, CTA_ZONE, zone);
        if (entry.Id is { } id) WriteUInt32BigEndian(ref w, CTA_ID, id);
        w.EndMessage();
    }

    public static bool HasPorts(byte protocol) => protocol is IPPROTO_TCP or IPPROTO_UDP or IPPROTO_SCTP;

    private static void WriteUInt16BigEndian(ref NetlinkMessageWriter w, ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        w.WriteAttribute(type, bytes);
    }

    private static void WriteUInt32BigEndian(ref NetlinkMessageWriter w, ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        w.WriteAttribute(type, bytes);
    }

    /// <summary>
    /// An IPCTNL_MSG_CT_NEW message of a dump (ctnetlink_fill_info): nfgenmsg, then CTA_TUPLE_ORIG, CTA_TUPLE_REPLY,
    /// CTA_ZONE, CTA_ID and more. False for another family, another message, or an entry without IPv4 tuples.
    /// Allocates nothing.
    /// </summary>
    public static bool TryParseEntry(NetlinkMessage message, out CtEntry entry)
    {
        entry = default;
        var payload = message.Payload;
        if (message.Type != CtNew || payload.Length < NfGenMsgLength || payload[0] != AF_INET) return false;
        CtTuple original = default, reply = default;
        bool hasOriginal = false, hasReply = false;
        uint? id = null;
        ushort? zone = null, originalZone = null;
        var attributes = new NetlinkAttributeReader(payload[NfGenMsgLength..]);
        while (attributes.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case CTA_TUPLE_ORIG: hasOriginal = TryParseTuple(value, out original, out originalZone); break;
                case CTA_TUPLE_REPLY: hasReply = TryParseTuple(value, out reply, out _); break;
                case CTA_ID when value.Length >= 4: id = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case CTA_ZONE when value.Length >= 2: zone = BinaryPrimitives.ReadUInt16BigEndian(value); break;
            }
        }
        if (!hasOriginal || !hasReply) return false;
        entry = new CtEntry(original, reply, id, zone, originalZone);
        return true;
    }

    /// <summary>CTA_TUPLE_IP{CTA_IP_V4_SRC, CTA_IP_V4_DST}, CTA_TUPLE_PROTO{CTA_PROTO_NUM, ports}, CTA_TUPLE_ZONE.</summary>
    private static bool TryParseTuple(ReadOnlySpan<byte> nested, out CtTuple tuple, out ushort? zone)
    {
        uint source = 0, destination = 0;
        bool hasSource = false, hasDestination = false, hasProtocol = false;
        byte protocol = 0;
        ushort sourcePort = 0, destinationPort = 0;
        zone = null;
        var attributes = new NetlinkAttributeReader(nested);
        while (attributes.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case CTA_TUPLE_IP:
                    var ip = new NetlinkAttributeReader(value);
                    while (ip.TryRead(out ushort ipType, out var ipValue))
                    {
                        if (ipValue.Length != 4) continue;
                        if (ipType == CTA_IP_V4_SRC) { source = BinaryPrimitives.ReadUInt32BigEndian(ipValue); hasSource = true; }
                        else if (ipType == CTA_IP_V4_DST) { destination = BinaryPrimitives.ReadUInt32BigEndian(ipValue); hasDestination = true; }
                    }
                    break;
                case CTA_TUPLE_PROTO:
                    var proto = new NetlinkAttributeReader(value);
                    while (proto.TryRead(out ushort protoType, out var protoValue))
                    {
                        switch (protoType)
                        {
                            case CTA_PROTO_NUM when protoValue.Length >= 1: protocol = protoValue[0]; hasProtocol = true; break;
                            case CTA_PROTO_SRC_PORT when protoValue.Length >= 2: sourcePort = BinaryPrimitives.ReadUInt16BigEndian(protoValue); break;
                            case CTA_PROTO_DST_PORT when protoValue.Length >= 2: destinationPort = BinaryPrimitives.ReadUInt16BigEndian(protoValue); break;
                        }
                    }
                    break;
                case CTA_TUPLE_ZONE when value.Length >= 2:
                    zone = BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
            }
        }
        tuple = new CtTuple(source, destination, protocol, sourcePort, destinationPort);
        return hasSource && hasDestination && hasProtocol;
    }

    /// <summary>
    /// The <see cref="IConntrack.DeleteNatTo"/> test: the protocol, the ORIGINAL destination port, the REPLY source,
    /// and a destination that was really translated (a connection made straight to the container's address and
    /// port has ORIGINAL destination == REPLY source and is not the mapping's).
    /// </summary>
    public static bool IsNatTo(in CtEntry entry, byte protocol, ushort hostPort, uint containerIp, ushort containerPort)
    {
        var o = entry.Original;
        var r = entry.Reply;
        return o.Protocol == protocol
            && o.DestinationPort == hostPort
            && r.Source == containerIp
            && r.SourcePort == containerPort
            && (o.Destination != r.Source || o.DestinationPort != r.SourcePort);
    }

    public static ConntrackEntry ToPublic(in CtEntry entry)
    {
        var o = entry.Original;
        var r = entry.Reply;
        return new ConntrackEntry(
            ProtocolName(o.Protocol),
            new IPEndPoint(CtTuple.ToAddress(o.Source), o.SourcePort),
            new IPEndPoint(CtTuple.ToAddress(o.Destination), o.DestinationPort),
            new IPEndPoint(CtTuple.ToAddress(r.Source), r.SourcePort),
            new IPEndPoint(CtTuple.ToAddress(r.Destination), r.DestinationPort));
    }

    public static string ProtocolName(byte protocol) => protocol switch
    {
        IPPROTO_TCP => "tcp",
        IPPROTO_UDP => "udp",
        IPPROTO_ICMP => "icmp",
        IPPROTO_SCTP => "sctp",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
