using System.Net;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>Parses rtnetlink reply messages into the engine's records. Returns null for messages that do not apply.</summary>
internal static class RtNetlinkReplies
{
    /// <summary>An RTM_NEWLINK message: ifinfomsg, then IFLA_IFNAME, IFLA_IFALIAS, IFLA_MASTER, IFLA_LINKINFO{IFLA_INFO_KIND}.</summary>
    public static LinkInfo? ParseLink(NetlinkMessage message)
    {
        if (message.Type != RTM_NEWLINK || message.Payload.Length < IfInfoMsgLength) return null;
        var payload = message.Payload;
        int index = NetlinkAttributeReader.ReadInt32(payload[4..]);
        uint flags = NetlinkAttributeReader.ReadUInt32(payload[8..]);
        string? name = null, alias = null, kind = null;
        int? master = null;
        var attributes = new NetlinkAttributeReader(payload[IfInfoMsgLength..]);
        while (attributes.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case IFLA_IFNAME: name = NetlinkAttributeReader.GetString(value); break;
                case IFLA_IFALIAS: alias = NetlinkAttributeReader.GetString(value); break;
                case IFLA_MASTER: master = (int)NetlinkAttributeReader.GetUInt32(value); break;
                case IFLA_LINKINFO:
                    var linkInfo = new NetlinkAttributeReader(value);
                    while (linkInfo.TryRead(out ushort infoType, out var infoValue))
                        if (infoType == IFLA_INFO_KIND) kind = NetlinkAttributeReader.GetString(infoValue);
                    break;
            }
        }
        if (name is null) return null;
        return new LinkInfo(index, name, kind, alias, (flags & IFF_UP) != 0, master is 0 ? null : master);
    }

    /// <summary>An RTM_NEWADDR message of family AF_INET: IFA_LOCAL (the interface's own address) or else IFA_ADDRESS.</summary>
    public static AddressInfo? ParseAddress(NetlinkMessage message)
    {
        var payload = message.Payload;
        if (message.Type != RTM_NEWADDR || payload.Length < IfAddrMsgLength || payload[0] != AF_INET) return null;
        int prefixLength = payload[1];
        int index = NetlinkAttributeReader.ReadInt32(payload[4..]);
        IPAddress? local = null, address = null;
        var attributes = new NetlinkAttributeReader(payload[IfAddrMsgLength..]);
        while (attributes.TryRead(out ushort type, out var value))
        {
            if (type == IFA_LOCAL) local = NetlinkAttributeReader.GetIPv4(value);
            else if (type == IFA_ADDRESS) address = NetlinkAttributeReader.GetIPv4(value);
        }
        // On a point-to-point link IFA_ADDRESS is the peer; IFA_LOCAL is always ours when present.
        var own = local ?? address;
        return own is null ? null : new AddressInfo(index, own, prefixLength);
    }

    /// <summary>An RTM_NEWROUTE message of family AF_INET in the main table (RTA_TABLE, when present, overrides rtm_table).</summary>
    public static RouteInfo? ParseRoute(NetlinkMessage message)
    {
        var payload = message.Payload;
        if (message.Type != RTM_NEWROUTE || payload.Length < RtMsgLength || payload[0] != AF_INET) return null;
        int destinationLength = payload[1];
        uint table = payload[4];
        IPAddress destination = IPAddress.Any;
        int? outputIndex = null;
        IPAddress? gateway = null;
        var attributes = new NetlinkAttributeReader(payload[RtMsgLength..]);
        while (attributes.TryRead(out ushort type, out var value))
        {
            switch (type)
            {
                case RTA_TABLE: table = NetlinkAttributeReader.GetUInt32(value); break;
                case RTA_DST: destination = NetlinkAttributeReader.GetIPv4(value); break;
                case RTA_OIF: outputIndex = (int)NetlinkAttributeReader.GetUInt32(value); break;
                case RTA_GATEWAY: gateway = NetlinkAttributeReader.GetIPv4(value); break;
            }
        }
        return table == RT_TABLE_MAIN ? new RouteInfo(destination, destinationLength, outputIndex, gateway) : null;
    }

    /// <summary>An RTM_NEWTFILTER message: tcmsg (the priority is the upper half of tcm_info), TCA_KIND, and for a "bpf"
    /// filter TCA_OPTIONS{TCA_BPF_OPS, TCA_BPF_FLAGS}.</summary>
    public static TcFilterInfo? ParseTcFilter(NetlinkMessage message)
    {
        var payload = message.Payload;
        if (message.Type != RTM_NEWTFILTER || payload.Length < TcMsgLength) return null;
        uint handle = NetlinkAttributeReader.ReadUInt32(payload[8..]);
        ushort priority = (ushort)(NetlinkAttributeReader.ReadUInt32(payload[16..]) >> 16);
        string? kind = null;
        List<ClassicBpfInstruction>? program = null;
        bool direct = false;
        var attributes = new NetlinkAttributeReader(payload[TcMsgLength..]);
        while (attributes.TryRead(out ushort type, out var value))
        {
            if (type == TCA_KIND) kind = NetlinkAttributeReader.GetString(value);
            else if (type == TCA_OPTIONS)
            {
                var options = new NetlinkAttributeReader(value);
                while (options.TryRead(out ushort optionType, out var option))
                {
                    if (optionType == TCA_BPF_OPS)
                    {
                        program = [];
                        for (int i = 0; i + ClassicBpfInstruction.Size <= option.Length; i += ClassicBpfInstruction.Size)
                            program.Add(ClassicBpfInstruction.Read(option[i..]));
                    }
                    else if (optionType == TCA_BPF_FLAGS) direct = (NetlinkAttributeReader.GetUInt32(option) & TCA_BPF_FLAG_ACT_DIRECT) != 0;
                }
            }
        }
        // Options are read as cls_bpf's only for a "bpf" filter (TCA_KIND comes first in every reply).
        return kind is null ? null : new TcFilterInfo(kind, priority, handle, kind == "bpf" ? program : null, kind == "bpf" && direct);
    }
}
