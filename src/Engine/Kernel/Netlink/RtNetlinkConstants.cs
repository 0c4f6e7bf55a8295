namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// Values from the kernel's uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
/// linux/veth.h, linux/pkt_sched.h, linux/pkt_cls.h). They are ABI: stable across kernel versions.
/// </summary>
internal static class RtNetlinkConstants
{
    // linux/if.h: IFNAMSIZ is 16 including the terminating NUL.
    public const int IFNAMSIZ = 16;
    // linux/if.h: IFALIASZ is 256; the kernel's policy for IFLA_IFALIAS allows IFALIASZ - 1 bytes.
    public const int IFALIASZ = 256;

    // struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }
    public const int NlMsgHdrLength = 16;
    // struct rtattr / nlattr { u16 len; u16 type; }
    public const int NlAttrHeaderLength = 4;
    // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
    public const int IfInfoMsgLength = 16;
    // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
    public const int IfAddrMsgLength = 8;
    // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
    public const int RtMsgLength = 12;
    // struct tcmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u32 handle; u32 parent; u32 info; }
    public const int TcMsgLength = 20;
    // struct nlmsgerr { s32 error; struct nlmsghdr msg; ... }
    public const int NlMsgErrLength = 4 + NlMsgHdrLength;

    // Message types (linux/netlink.h).
    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;

    // Message flags.
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_ECHO = 0x8, NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    // Flags of an NLMSG_ERROR message.
    public const ushort NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
    // Attributes after struct nlmsgerr (enum nlmsgerr_attrs).
    public const ushort NLMSGERR_ATTR_MSG = 1;

    // rtnetlink message types (linux/rtnetlink.h).
    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
    public const ushort RTM_NEWQDISC = 36, RTM_NEWTFILTER = 44, RTM_GETTFILTER = 46;

    public const byte AF_UNSPEC = 0, AF_INET = 2, AF_BRIDGE = 7;
    /// <summary>linux/if_link.h: IFLA_PROTINFO carries a bridge port's settings (nested IFLA_BRPORT_*) in AF_BRIDGE
    /// requests; br_setlink reads them as such only when NLA_F_NESTED is set (else it is the old one-byte RSTP state).</summary>
    public const ushort IFLA_PROTINFO = 12, IFLA_BRPORT_MODE = 4, NLA_F_NESTED = 0x8000;

    // Link attributes (enum IFLA_*, linux/if_link.h).
    public const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18;
    public const ushort IFLA_IFALIAS = 20, IFLA_NET_NS_FD = 28, IFLA_EXT_MASK = 29;
    // Nested in IFLA_LINKINFO.
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    // Nested in IFLA_INFO_DATA of a veth (linux/veth.h); its payload is a struct ifinfomsg followed by IFLA_* attributes.
    public const ushort VETH_INFO_PEER = 1;
    // IFLA_EXT_MASK value: leave IFLA_STATS/IFLA_STATS64 out of link replies (they are most of each message).
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // linux/if.h
    public const uint IFF_UP = 0x1;

    // Address attributes (enum IFA_*, linux/if_addr.h).
    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4;

    // Route attributes (enum rtattr_type_t) and values.
    public const ushort RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
    public const byte RT_TABLE_MAIN = 254;
    public const byte RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253;
    // rtm_protocol: RTPROT_BOOT is what `ip route add` (and vishvananda/netlink, Docker's library) uses by default.
    public const byte RTPROT_BOOT = 3;
    // rtm_type
    public const byte RTN_UNICAST = 1;

    // linux/if_ether.h: ETH_ALEN, the length of an Ethernet (MAC) address; ETH_P_ALL, every protocol.
    public const int ETH_ALEN = 6;
    public const ushort ETH_P_ALL = 0x0003;

    // Traffic control (linux/rtnetlink.h enum TCA_*; linux/pkt_sched.h handles). The clsact qdisc sits at
    // TC_H_CLSACT with handle ffff:0; its ingress hook is the parent TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS).
    public const ushort TCA_KIND = 1, TCA_OPTIONS = 2;
    public const uint TC_H_CLSACT = 0xFFFFFFF1, TC_H_MIN_INGRESS = 0xFFF2, TC_H_MAJ_MASK = 0xFFFF0000;
    // cls_bpf options (linux/pkt_cls.h enum TCA_BPF_*): a classic program is its length in instructions plus the
    // struct sock_filter array; ACT_DIRECT makes the program's return value the verdict (TC_ACT_*).
    public const ushort TCA_BPF_OPS_LEN = 4, TCA_BPF_OPS = 5, TCA_BPF_FLAGS = 8;
    public const uint TCA_BPF_FLAG_ACT_DIRECT = 1;
}
