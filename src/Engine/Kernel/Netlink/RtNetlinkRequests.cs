using System.Buffers.Binary;
using System.Net;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// The rtnetlink requests the engine sends, laid out as iproute2 lays out the same commands (strings here always
/// carry their NUL, which NLA_STRING accepts, and creates add NLM_F_ECHO). Pure functions of their arguments
/// (no socket), so unit tests compare their bytes with golden arrays. Arguments are validated by the caller.
/// </summary>
internal static class RtNetlinkRequests
{
    private const ushort NewObject = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    private const ushort Change = NLM_F_REQUEST | NLM_F_ACK;
    private const ushort DumpFlags = NLM_F_REQUEST | NLM_F_DUMP;

    /// <summary>ip link add NAME type bridge. NLM_F_ECHO asks the kernel (Linux 6.3+ honours it for new links) to send the new link back, which saves a lookup.</summary>
    public static void CreateBridge(ref NetlinkMessageWriter w, uint sequence, string name)
    {
        w.BeginMessage(RTM_NEWLINK, NewObject | NLM_F_ECHO, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeString(IFLA_IFNAME, name);
        int linkInfo = w.BeginNested(IFLA_LINKINFO);
        w.WriteAttributeString(IFLA_INFO_KIND, "bridge");
        w.EndNested(linkInfo);
        w.EndMessage();
    }

    /// <summary>
    /// ip link add HOST type veth peer name PEER netns FD. The peer is a struct ifinfomsg plus its own IFLA_*
    /// attributes inside VETH_INFO_PEER; IFLA_NET_NS_FD there creates it directly in the other namespace.
    /// A negative <paramref name="peerNetnsFd"/> leaves the peer in this namespace. A non-empty
    /// <paramref name="peerAddress"/> becomes the peer's IFLA_ADDRESS (rtnl_create_link applies it; without it
    /// veth_newlink gives the peer a random MAC).
    /// </summary>
    public static void CreateVethPair(ref NetlinkMessageWriter w, uint sequence, string hostName, string peerName, int peerNetnsFd,
        ReadOnlySpan<byte> peerAddress = default)
    {
        w.BeginMessage(RTM_NEWLINK, NewObject | NLM_F_ECHO, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeString(IFLA_IFNAME, hostName);
        int linkInfo = w.BeginNested(IFLA_LINKINFO);
        w.WriteAttributeString(IFLA_INFO_KIND, "veth");
        int data = w.BeginNested(IFLA_INFO_DATA);
        int peer = w.BeginNested(VETH_INFO_PEER);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeString(IFLA_IFNAME, peerName);
        if (!peerAddress.IsEmpty) w.WriteAttribute(IFLA_ADDRESS, peerAddress);
        if (peerNetnsFd >= 0) w.WriteAttributeUInt32(IFLA_NET_NS_FD, (uint)peerNetnsFd);
        w.EndNested(peer);
        w.EndNested(data);
        w.EndNested(linkInfo);
        w.EndMessage();
    }

    /// <summary>ip link set dev INDEX alias ALIAS.</summary>
    public static void SetAlias(ref NetlinkMessageWriter w, uint sequence, int ifindex, string alias)
    {
        w.BeginMessage(RTM_SETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, ifindex);
        w.WriteAttributeString(IFLA_IFALIAS, alias);
        w.EndMessage();
    }

    /// <summary>ip link set dev INDEX up: only the IFF_UP bit changes (ifi_change is the mask).</summary>
    public static void SetUp(ref NetlinkMessageWriter w, uint sequence, int ifindex)
    {
        w.BeginMessage(RTM_SETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, ifindex, flags: IFF_UP, change: IFF_UP);
        w.EndMessage();
    }

    /// <summary>ip link set dev INDEX master MASTER (0 = nomaster).</summary>
    public static void SetMaster(ref NetlinkMessageWriter w, uint sequence, int ifindex, int masterIndex)
    {
        w.BeginMessage(RTM_SETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, ifindex);
        w.WriteAttributeUInt32(IFLA_MASTER, (uint)masterIndex);
        w.EndMessage();
    }

    /// <summary>bridge link set dev INDEX hairpin on: the bridge may send a frame back out of the port it came in on.</summary>
    public static void SetHairpin(ref NetlinkMessageWriter w, uint sequence, int ifindex)
    {
        w.BeginMessage(RTM_SETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_BRIDGE, ifindex);
        int protinfo = w.BeginNested(IFLA_PROTINFO | NLA_F_NESTED);
        w.WriteAttribute(IFLA_BRPORT_MODE, [1]);
        w.EndNested(protinfo);
        w.EndMessage();
    }

    /// <summary>ip link set dev INDEX address MAC.</summary>
    public static void SetLinkAddress(ref NetlinkMessageWriter w, uint sequence, int ifindex, ReadOnlySpan<byte> address)
    {
        w.BeginMessage(RTM_SETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, ifindex);
        w.WriteAttribute(IFLA_ADDRESS, address);
        w.EndMessage();
    }

    /// <summary>
    /// ip route add|replace DESTINATION/PREFIX [via GATEWAY] dev INDEX: table main, proto boot, type unicast; scope
    /// universe with a gateway (the kernel checks it is reachable on the device, else ENETUNREACH) and link without
    /// one, as iproute2 chooses. The table fits rtm_table, so no RTA_TABLE (iproute2 adds it only for ids above 255).
    /// </summary>
    public static void AddRoute(ref NetlinkMessageWriter w, uint sequence, IPAddress destination, int prefixLength,
        IPAddress? gateway, int outputIndex, bool replace)
    {
        ushort flags = replace ? (ushort)(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE) : NewObject;
        w.BeginMessage(RTM_NEWROUTE, flags, sequence);
        w.WriteRtMsg(AF_INET, (byte)prefixLength, RT_TABLE_MAIN, RTPROT_BOOT, gateway is null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, RTN_UNICAST);
        if (prefixLength > 0) w.WriteAttributeIPv4(RTA_DST, destination);
        if (gateway is not null) w.WriteAttributeIPv4(RTA_GATEWAY, gateway);
        w.WriteAttributeUInt32(RTA_OIF, (uint)outputIndex);
        w.EndMessage();
    }

    /// <summary>ip addr add ADDRESS/PREFIX brd + dev INDEX (no broadcast for /31 and /32, RFC 3021).</summary>
    public static void AddAddress(ref NetlinkMessageWriter w, uint sequence, int ifindex, IPAddress address, int prefixLength)
    {
        w.BeginMessage(RTM_NEWADDR, NewObject, sequence);
        w.WriteIfAddrMsg(AF_INET, (byte)prefixLength, flags: 0, RT_SCOPE_UNIVERSE, ifindex);
        w.WriteAttributeIPv4(IFA_LOCAL, address);
        w.WriteAttributeIPv4(IFA_ADDRESS, address);
        if (Broadcast(address, prefixLength) is { } broadcast) w.WriteAttributeIPv4(IFA_BROADCAST, broadcast);
        w.EndMessage();
    }

    /// <summary>ip addr del ADDRESS/PREFIX dev INDEX.</summary>
    public static void DeleteAddress(ref NetlinkMessageWriter w, uint sequence, int ifindex, IPAddress address, int prefixLength)
    {
        w.BeginMessage(RTM_DELADDR, Change, sequence);
        w.WriteIfAddrMsg(AF_INET, (byte)prefixLength, flags: 0, RT_SCOPE_UNIVERSE, ifindex);
        w.WriteAttributeIPv4(IFA_LOCAL, address);
        w.WriteAttributeIPv4(IFA_ADDRESS, address);
        w.EndMessage();
    }

    /// <summary>The directed broadcast of the prefix, or null for /31 and /32.</summary>
    public static IPAddress? Broadcast(IPAddress address, int prefixLength)
    {
        if (prefixLength >= 31) return null;
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        uint hostMask = prefixLength == 0 ? uint.MaxValue : uint.MaxValue >> prefixLength;
        BinaryPrimitives.WriteUInt32BigEndian(bytes, BinaryPrimitives.ReadUInt32BigEndian(bytes) | hostMask);
        return new IPAddress(bytes);
    }

    /// <summary>tc qdisc add dev INDEX clsact: the qdisc that gives a device its tc ingress and egress hooks.</summary>
    public static void AddClsactQdisc(ref NetlinkMessageWriter w, uint sequence, int ifindex)
    {
        w.BeginMessage(RTM_NEWQDISC, NewObject, sequence);
        w.WriteTcMsg(ifindex, handle: TC_H_CLSACT & TC_H_MAJ_MASK, parent: TC_H_CLSACT, info: 0);
        w.WriteAttributeString(TCA_KIND, "clsact");
        w.EndMessage();
    }

    /// <summary>
    /// tc filter replace dev INDEX ingress prio PRIORITY handle HANDLE protocol all bpf da bytecode PROGRAM: a classic
    /// BPF program on the clsact ingress hook whose return value is the verdict. Without NLM_F_EXCL an existing filter
    /// with that priority and handle gets the new program (tc_new_tfilter; cls_bpf_change).
    /// </summary>
    public static void ReplaceIngressBpfFilter(ref NetlinkMessageWriter w, uint sequence, int ifindex, ushort priority, uint handle,
        ReadOnlySpan<ClassicBpfInstruction> program)
    {
        w.BeginMessage(RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, sequence);
        w.WriteTcMsg(ifindex, handle, parent: TcIngressParent, info: FilterInfo(priority));
        w.WriteAttributeString(TCA_KIND, "bpf");
        int options = w.BeginNested(TCA_OPTIONS);
        w.WriteAttributeUInt16(TCA_BPF_OPS_LEN, checked((ushort)program.Length));
        Span<byte> ops = stackalloc byte[program.Length * ClassicBpfInstruction.Size];
        for (int i = 0; i < program.Length; i++) program[i].Write(ops[(i * ClassicBpfInstruction.Size)..]);
        w.WriteAttribute(TCA_BPF_OPS, ops);
        w.WriteAttributeUInt32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
        w.EndNested(options);
        w.EndMessage();
    }

    /// <summary>tc filter show dev INDEX ingress.</summary>
    public static void DumpIngressFilters(ref NetlinkMessageWriter w, uint sequence, int ifindex)
    {
        w.BeginMessage(RTM_GETTFILTER, DumpFlags, sequence);
        w.WriteTcMsg(ifindex, handle: 0, parent: TcIngressParent, info: 0);
        w.EndMessage();
    }

    /// <summary>TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS): what tc calls "ingress".</summary>
    private const uint TcIngressParent = (TC_H_CLSACT & TC_H_MAJ_MASK) | TC_H_MIN_INGRESS;

    /// <summary>tcm_info of a filter: the priority in the upper half, the protocol (ETH_P_ALL) in network order below.</summary>
    private static uint FilterInfo(ushort priority) =>
        (uint)priority << 16 | (BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(ETH_P_ALL) : ETH_P_ALL);

    /// <summary>ip link del NAME.</summary>
    public static void DeleteLink(ref NetlinkMessageWriter w, uint sequence, string name)
    {
        w.BeginMessage(RTM_DELLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeString(IFLA_IFNAME, name);
        w.EndMessage();
    }

    /// <summary>ip link show NAME, without statistics.</summary>
    public static void GetLink(ref NetlinkMessageWriter w, uint sequence, string name)
    {
        w.BeginMessage(RTM_GETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeString(IFLA_IFNAME, name);
        w.WriteAttributeUInt32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        w.EndMessage();
    }

    /// <summary>ip link show dev INDEX, without statistics.</summary>
    public static void GetLink(ref NetlinkMessageWriter w, uint sequence, int ifindex)
    {
        w.BeginMessage(RTM_GETLINK, Change, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, ifindex);
        w.WriteAttributeUInt32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        w.EndMessage();
    }

    /// <summary>ip link show: every device, without statistics.</summary>
    public static void DumpLinks(ref NetlinkMessageWriter w, uint sequence)
    {
        w.BeginMessage(RTM_GETLINK, DumpFlags, sequence);
        w.WriteIfInfoMsg(AF_UNSPEC, 0);
        w.WriteAttributeUInt32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        w.EndMessage();
    }

    /// <summary>ip -4 addr show.</summary>
    public static void DumpAddresses(ref NetlinkMessageWriter w, uint sequence)
    {
        w.BeginMessage(RTM_GETADDR, DumpFlags, sequence);
        w.WriteIfAddrMsg(AF_INET, 0, 0, 0, 0);
        w.EndMessage();
    }

    /// <summary>ip -4 route show (all tables; the reply is filtered to the main table).</summary>
    public static void DumpRoutes(ref NetlinkMessageWriter w, uint sequence)
    {
        w.BeginMessage(RTM_GETROUTE, DumpFlags, sequence);
        w.WriteRtMsg(AF_INET);
        w.EndMessage();
    }
}
