namespace MyDocker.Engine.Kernel.Conntrack;

/// <summary>
/// Values from the kernel's uapi headers linux/netfilter/nfnetlink.h and linux/netfilter/nfnetlink_conntrack.h.
/// They are ABI: stable across kernel versions.
/// </summary>
internal static class CtNetlinkConstants
{
    // nfnetlink.h: the message type is (subsystem << 8) | message.
    public const byte NFNL_SUBSYS_CTNETLINK = 1;
    public const byte NFNETLINK_V0 = 0;
    // struct nfgenmsg { u8 nfgen_family; u8 version; be16 res_id; }
    public const int NfGenMsgLength = 4;

    // enum cntl_msg_types
    public const byte IPCTNL_MSG_CT_NEW = 0, IPCTNL_MSG_CT_GET = 1, IPCTNL_MSG_CT_DELETE = 2;

    public const ushort CtNew = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
    public const ushort CtGet = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
    public const ushort CtDelete = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE;

    // enum ctattr_type (top level of a conntrack message). CTA_ID and CTA_ZONE are big-endian.
    public const ushort CTA_TUPLE_ORIG = 1, CTA_TUPLE_REPLY = 2, CTA_STATUS = 3, CTA_ID = 12, CTA_ZONE = 18;
    // enum ctattr_tuple (nested in CTA_TUPLE_ORIG / CTA_TUPLE_REPLY). CTA_TUPLE_ZONE is big-endian.
    public const ushort CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2, CTA_TUPLE_ZONE = 3;
    // enum ctattr_ip (nested in CTA_TUPLE_IP): addresses in network order.
    public const ushort CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2;
    // enum ctattr_l4proto (nested in CTA_TUPLE_PROTO): a u8 protocol number, big-endian u16 ports.
    public const ushort CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;

    // IP protocol numbers (netinet/in.h).
    public const byte IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_SCTP = 132;
}
