using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>The rtnetlink notifications the engine follows: IPv4 addresses and routes (linux/rtnetlink.h).</summary>
internal static class RtNetlinkEvents
{
    /// <summary>enum rtnetlink_groups: RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE.</summary>
    public const int RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV4_ROUTE = 7;
    private const byte RT_TABLE_LOCAL = 255;

    /// <summary>What an IPv4 address or main-table route notification (new or deleted) is about: the interface index,
    /// 0 for a route through no interface (blackhole, multipath: always taken as the host's). Null for anything else,
    /// such as the local table's routes, which only mirror addresses.</summary>
    public static int? ChangedLink(NetlinkMessage message)
    {
        var payload = message.Payload;
        switch (message.Type)
        {
            case RTM_NEWADDR or RTM_DELADDR:
                return payload.Length >= IfAddrMsgLength && payload[0] == AF_INET ? NetlinkAttributeReader.ReadInt32(payload[4..]) : null;
            case RTM_NEWROUTE or RTM_DELROUTE:
                if (payload.Length < RtMsgLength || payload[0] != AF_INET) return null;
                uint table = payload[4];
                int index = 0;
                var attributes = new NetlinkAttributeReader(payload[RtMsgLength..]);
                while (attributes.TryRead(out ushort type, out var value))
                {
                    if (type == RTA_TABLE) table = NetlinkAttributeReader.GetUInt32(value);
                    else if (type == RTA_OIF) index = (int)NetlinkAttributeReader.GetUInt32(value);
                }
                return table == RT_TABLE_LOCAL ? null : index;
            default:
                return null;
        }
    }
}
