using System.Net;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.UnitTests.Kernel;

/// <summary>Golden bytes for the rtnetlink requests and parsing of kernel replies; no socket, no root.</summary>
public class NetlinkMessageTests
{
    [Fact]
    public void Create_bridge_request_matches_the_golden_bytes()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.CreateBridge(ref w, 1, "br0"));

        byte[] expected =
        [
            // nlmsghdr: len 56, RTM_NEWLINK (16), REQUEST|ACK|ECHO|EXCL|CREATE (0x060d), seq 1, pid 0
            0x38, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0d, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // ifinfomsg: AF_UNSPEC, index 0, flags 0, change 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // IFLA_IFNAME (3), len 8: "br0\0"
            0x08, 0x00, 0x03, 0x00, (byte)'b', (byte)'r', (byte)'0', 0x00,
            // IFLA_LINKINFO (18), len 16 = header + the padded inner attribute
            0x10, 0x00, 0x12, 0x00,
            //   IFLA_INFO_KIND (1), len 11: "bridge\0", then one byte of padding
            0x0b, 0x00, 0x01, 0x00, (byte)'b', (byte)'r', (byte)'i', (byte)'d', (byte)'g', (byte)'e', 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Add_address_request_matches_the_golden_bytes_with_broadcast()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) =>
            RtNetlinkRequests.AddAddress(ref w, 0x01020304, 7, IPAddress.Parse("10.1.2.3"), 24));

        byte[] expected =
        [
            // nlmsghdr: len 48, RTM_NEWADDR (20), REQUEST|ACK|EXCL|CREATE (0x0605), seq 0x01020304 (host order)
            0x30, 0x00, 0x00, 0x00, 0x14, 0x00, 0x05, 0x06, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
            // ifaddrmsg: AF_INET, /24, flags 0, scope universe, index 7
            0x02, 0x18, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
            // IFA_LOCAL (2): 10.1.2.3 in network order
            0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x02, 0x03,
            // IFA_ADDRESS (1)
            0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x02, 0x03,
            // IFA_BROADCAST (4): 10.1.2.255
            0x08, 0x00, 0x04, 0x00, 0x0a, 0x01, 0x02, 0xff,
        ];
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("10.1.2.3", 24, "10.1.2.255")]
    [InlineData("172.17.0.1", 16, "172.17.255.255")]
    [InlineData("10.0.0.1", 30, "10.0.0.3")]
    [InlineData("10.0.0.0", 31, null)]
    [InlineData("10.0.0.9", 32, null)]
    [InlineData("1.2.3.4", 0, "255.255.255.255")]
    public void Broadcast_is_computed_from_the_prefix(string address, int prefix, string? broadcast)
    {
        Assert.Equal(broadcast, RtNetlinkRequests.Broadcast(IPAddress.Parse(address), prefix)?.ToString());
    }

    [Fact]
    public void Add_address_for_a_slash_32_has_no_broadcast_attribute()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) =>
            RtNetlinkRequests.AddAddress(ref w, 1, 3, IPAddress.Parse("192.168.5.6"), 32));
        Assert.Equal(16 + 8 + 8 + 8, bytes.Length);
        Assert.Equal(bytes.Length, BitConverter.ToInt32(bytes, 0));
    }

    [Fact]
    public void Veth_request_nests_the_peer_with_its_own_ifinfomsg_and_netns_fd()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.CreateVethPair(ref w, 9, "vh0", "vp0", 5));

        byte[] expected =
        [
            // nlmsghdr: len 96, RTM_NEWLINK, REQUEST|ACK|ECHO|EXCL|CREATE, seq 9
            0x60, 0x00, 0x00, 0x00, 0x10, 0x00, 0x0d, 0x06, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x08, 0x00, 0x03, 0x00, (byte)'v', (byte)'h', (byte)'0', 0x00,
            // IFLA_LINKINFO, len 56
            0x38, 0x00, 0x12, 0x00,
            //   IFLA_INFO_KIND "veth\0", len 9 + 3 padding
            0x09, 0x00, 0x01, 0x00, (byte)'v', (byte)'e', (byte)'t', (byte)'h', 0x00, 0x00, 0x00, 0x00,
            //   IFLA_INFO_DATA (2), len 40
            0x28, 0x00, 0x02, 0x00,
            //     VETH_INFO_PEER (1), len 36: struct ifinfomsg, then the peer's attributes
            0x24, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            //       IFLA_IFNAME "vp0\0"
            0x08, 0x00, 0x03, 0x00, (byte)'v', (byte)'p', (byte)'0', 0x00,
            //       IFLA_NET_NS_FD (28): 5
            0x08, 0x00, 0x1c, 0x00, 0x05, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Set_up_changes_only_the_up_flag()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.SetUp(ref w, 2, 12));
        byte[] expected =
        [
            // len 32, RTM_SETLINK (19), REQUEST|ACK, seq 2
            0x20, 0x00, 0x00, 0x00, 0x13, 0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // ifinfomsg: index 12, flags IFF_UP, change IFF_UP
            0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Dump_requests_carry_the_dump_flags_and_no_ack()
    {
        var links = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.DumpLinks(ref w, 3));
        var routes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.DumpRoutes(ref w, 4));
        // NLM_F_REQUEST | NLM_F_DUMP = 0x0301
        Assert.Equal(new byte[] { 0x01, 0x03 }, links[6..8]);
        Assert.Equal(new byte[] { 0x01, 0x03 }, routes[6..8]);
        // IFLA_EXT_MASK (29) = RTEXT_FILTER_SKIP_STATS
        Assert.Equal(new byte[] { 0x08, 0x00, 0x1d, 0x00, 0x08, 0x00, 0x00, 0x00 }, links[32..40]);
        // rtmsg: AF_INET, rest zero
        Assert.Equal(16 + 12, routes.Length);
        Assert.Equal(2, routes[16]);
    }

    [Fact]
    public void A_long_alias_pads_to_four_bytes()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.SetAlias(ref w, 1, 4, "mydocker:n1"));
        // alias attribute: 4 + 11 + NUL = 16, already aligned; message = 16 + 16 + 16
        Assert.Equal(48, bytes.Length);
        Assert.Equal(new byte[] { 0x10, 0x00, 0x14, 0x00 }, bytes[32..36]);
        Assert.Equal(0, bytes[^1]);

        bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.SetAlias(ref w, 1, 4, "ab"));
        // 4 + 2 + NUL = 7, padded with one zero byte
        Assert.Equal(new byte[] { 0x07, 0x00, 0x14, 0x00, (byte)'a', (byte)'b', 0x00, 0x00 }, bytes[32..40]);
    }

    [Fact]
    public void Writer_refuses_a_request_larger_than_its_buffer()
    {
        Assert.Throws<InvalidOperationException>(() =>
        {
            Span<byte> small = stackalloc byte[24];
            var w = new NetlinkMessageWriter(small);
            RtNetlinkRequests.CreateBridge(ref w, 1, "br0");
        });
    }

    // A datagram as the kernel sends it for `RTM_GETLINK` with NLM_F_DUMP: two links, then NLMSG_DONE.
    private static readonly byte[] LinkDump =
    [
        // --- message 1: RTM_NEWLINK, len 88, flags MULTI (2), seq 42, pid 1234
        0x58, 0x00, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x2a, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00,
        // ifinfomsg: AF_UNSPEC, type ARPHRD_ETHER (1), index 5, flags UP|BROADCAST|MULTICAST (0x1003), change 0
        0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x03, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // IFLA_IFNAME "br-x\0" (len 9, 3 padding)
        0x09, 0x00, 0x03, 0x00, (byte)'b', (byte)'r', (byte)'-', (byte)'x', 0x00, 0x00, 0x00, 0x00,
        // IFLA_MTU (4): 1500
        0x08, 0x00, 0x04, 0x00, 0xdc, 0x05, 0x00, 0x00,
        // IFLA_IFALIAS (20) "mydocker:n\0" (len 15, 1 padding)
        0x0f, 0x00, 0x14, 0x00, (byte)'m', (byte)'y', (byte)'d', (byte)'o', (byte)'c', (byte)'k', (byte)'e', (byte)'r', (byte)':', (byte)'n', 0x00, 0x00,
        // IFLA_LINKINFO with NLA_F_NESTED (0x8012), len 20
        0x14, 0x00, 0x12, 0x80,
        //   IFLA_INFO_KIND "bridge" without NUL (len 10, 2 padding)
        0x0a, 0x00, 0x01, 0x00, (byte)'b', (byte)'r', (byte)'i', (byte)'d', (byte)'g', (byte)'e', 0x00, 0x00,
        //   IFLA_INFO_DATA, empty
        0x04, 0x00, 0x02, 0x80,
        // --- message 2: RTM_NEWLINK, len 60, a veth that is down with master 5
        0x3c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x2a, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x02, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // IFLA_IFNAME "v1\0"
        0x07, 0x00, 0x03, 0x00, (byte)'v', (byte)'1', 0x00, 0x00,
        // IFLA_MASTER (10): 5
        0x08, 0x00, 0x0a, 0x00, 0x05, 0x00, 0x00, 0x00,
        // IFLA_LINKINFO { IFLA_INFO_KIND "veth" }
        0x0c, 0x00, 0x12, 0x00, 0x08, 0x00, 0x01, 0x00, (byte)'v', (byte)'e', (byte)'t', (byte)'h',
        // --- message 3: NLMSG_DONE, len 20, error 0
        0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x2a, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    ];

    [Fact]
    public void A_link_dump_datagram_parses_into_messages_and_links()
    {
        var reader = new NetlinkMessageReader(LinkDump);
        var types = new List<ushort>();
        var links = new List<LinkInfo>();
        while (reader.TryRead(out var message))
        {
            types.Add(message.Type);
            Assert.Equal(42u, message.Sequence);
            Assert.Equal(1234u, message.PortId);
            if (RtNetlinkReplies.ParseLink(message) is { } link) links.Add(link);
        }

        Assert.Equal(new ushort[] { 16, 16, 3 }, types);
        Assert.Equal(
            [
                new LinkInfo(5, "br-x", "bridge", "mydocker:n", IsUp: true, MasterIndex: null),
                new LinkInfo(9, "v1", "veth", null, IsUp: false, MasterIndex: 5),
            ],
            links);
    }

    [Fact]
    public void A_truncated_message_is_reported_not_read_past()
    {
        var reader = new NetlinkMessageReader(LinkDump.AsSpan(0, 60));
        bool threw = false;
        try { reader.TryRead(out _); }
        catch (InvalidDataException) { threw = true; }
        Assert.True(threw);
    }

    [Fact]
    public void Address_and_route_replies_parse()
    {
        byte[] address =
        [
            0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // ifaddrmsg: AF_INET /24 index 7
            0x02, 0x18, 0x80, 0x00, 0x07, 0x00, 0x00, 0x00,
            // IFA_ADDRESS 10.9.9.9 (a peer would differ from IFA_LOCAL), IFA_LOCAL 10.1.2.3
            0x08, 0x00, 0x01, 0x00, 0x0a, 0x09, 0x09, 0x09,
            0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x02, 0x03,
            // IFA_LABEL "br0"
            0x08, 0x00, 0x03, 0x00, (byte)'b', (byte)'r', (byte)'0', 0x00,
        ];
        address[0] = (byte)address.Length;
        Assert.Equal(new AddressInfo(7, IPAddress.Parse("10.1.2.3"), 24), ParseOne(address, RtNetlinkReplies.ParseAddress));

        byte[] route =
        [
            0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // rtmsg: AF_INET, dst_len 24, src 0, tos 0, table 254, proto kernel (2), scope link (253), unicast (1), flags 0
            0x02, 0x18, 0x00, 0x00, 0xfe, 0x02, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00,
            // RTA_TABLE 254, RTA_DST 10.1.2.0, RTA_OIF 7
            0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00,
            0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x02, 0x00,
            0x08, 0x00, 0x04, 0x00, 0x07, 0x00, 0x00, 0x00,
        ];
        route[0] = (byte)route.Length;
        Assert.Equal(new RouteInfo(IPAddress.Parse("10.1.2.0"), 24, 7), ParseOne(route, RtNetlinkReplies.ParseRoute));

        // A default route has no RTA_DST.
        byte[] defaultRoute =
        [
            0x24, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x02, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x08, 0x00, 0x05, 0x00, 0x0a, 0x01, 0x02, 0x01, // RTA_GATEWAY
        ];
        Assert.Equal(new RouteInfo(IPAddress.Any, 0, null, IPAddress.Parse("10.1.2.1")), ParseOne(defaultRoute, RtNetlinkReplies.ParseRoute));

        // RTA_TABLE overrides rtm_table: table 1000 does not fit in the u8 field, which then says RT_TABLE_COMPAT (252).
        byte[] otherTable =
        [
            0x24, 0x00, 0x00, 0x00, 0x18, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x02, 0x00, 0x00, 0x00, 0xfc, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0x08, 0x00, 0x0f, 0x00, 0xe8, 0x03, 0x00, 0x00,
        ];
        Assert.Null(ParseOne(otherTable, RtNetlinkReplies.ParseRoute));
    }

    private static T? ParseOne<T>(byte[] datagram, Func<NetlinkMessage, T?> parse)
    {
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var message));
        var result = parse(message);
        Assert.False(reader.TryRead(out _));
        return result;
    }

    [Fact]
    public void An_error_ack_yields_the_kernels_extended_message()
    {
        byte[] error =
        [
            // nlmsghdr: len 48, NLMSG_ERROR, flags CAPPED|ACK_TLVS (0x300), seq 7
            0x30, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // error -17 (EEXIST)
            0xef, 0xff, 0xff, 0xff,
            // the request's nlmsghdr only (capped): len 56, RTM_NEWLINK
            0x38, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // NLMSGERR_ATTR_MSG "in use\0" (len 11, 1 padding)
            0x0b, 0x00, 0x01, 0x00, (byte)'i', (byte)'n', (byte)' ', (byte)'u', (byte)'s', (byte)'e', 0x00, 0x00,
        ];
        var reader = new NetlinkMessageReader(error);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(2, message.Type);
        Assert.Equal("in use", NetlinkSocket.ExtendedAckMessage(message));
    }

    [Theory]
    [InlineData("br0")]
    [InlineData("mydocker0123456")] // 15 bytes
    [InlineData("veth-a.b_c")]
    public void Valid_interface_names_pass(string name) => Assert.True(InterfaceName.IsValid(name));

    [Theory]
    [InlineData("")]
    [InlineData("mydocker01234567")] // 16 bytes
    [InlineData("ééééééééé")] // 9 characters, 18 bytes
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("eth0:1")]
    public void Invalid_interface_names_are_refused(string name) => Assert.False(InterfaceName.IsValid(name));

    [Fact]
    public void A_too_long_name_is_refused_naming_the_limit()
    {
        var e = Assert.Throws<ArgumentException>(() => InterfaceName.Validate("a-very-long-bridge-name"));
        Assert.Contains("15", e.Message);
        Assert.Contains("23 bytes", e.Message);
    }

    [Fact]
    public void Address_and_route_notifications_name_their_interface_and_local_table_routes_are_left_out()
    {
        // RTM_NEWADDR for ifindex 7 (ifaddrmsg), RTM_DELROUTE in main with RTA_OIF 9, RTM_NEWROUTE in local with RTA_OIF 9.
        byte[] addr = [0x18, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* ifaddrmsg */ 2, 24, 0, 0, 7, 0, 0, 0];
        byte[] route(byte table) => [0x24, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            /* rtmsg */ 2, 24, 0, 0, table, 2, 0, 1, 0, 0, 0, 0, /* RTA_OIF */ 8, 0, 4, 0, 9, 0, 0, 0];
        int? Read(byte[] datagram)
        {
            var reader = new NetlinkMessageReader(datagram);
            Assert.True(reader.TryRead(out var m));
            return RtNetlinkEvents.ChangedLink(m);
        }
        Assert.Equal(7, Read(addr));
        Assert.Equal(9, Read(route(254)));
        Assert.Null(Read(route(255)));
    }
}
