using System.Net;
using MyDocker.Engine.Kernel.Conntrack;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.UnitTests.Kernel;

/// <summary>Golden bytes for the ctnetlink requests, parsing of a captured kernel dump, and the match rule; no socket, no root.</summary>
public class ConntrackMessageTests
{
    /// <summary>
    /// One datagram of a real dump (kernel 6.18, `ConntrackTests` lab): a UDP flow 10.201.1.2:40000 → 10.201.1.1:5000
    /// DNATed to 10.201.2.2:6000 and answered once, followed by NLMSG_DONE. Only the nlmsghdr seq/pid were set by hand.
    /// </summary>
    private static readonly byte[] CapturedDump = Convert.FromHexString(
        // nlmsghdr: len 164, type 0x0100 (CTNETLINK << 8 | IPCTNL_MSG_CT_NEW), flags NLM_F_MULTI|NLM_F_DUMP_FILTERED, seq 7, pid 0x1234
        "A4000000" + "0001" + "2200" + "07000000" + "34120000" +
        // nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
        "02000000" +
        // CTA_TUPLE_ORIG (1 | NLA_F_NESTED): IP {10.201.1.2, 10.201.1.1}, PROTO {17, 40000, 5000}
        "34000180" + "14000180" + "080001000AC90102" + "080002000AC90101" +
        "1C000280" + "0500010011000000" + "060002009C400000" + "0600030013880000" +
        // CTA_TUPLE_REPLY (2 | NLA_F_NESTED): IP {10.201.2.2, 10.201.1.2}, PROTO {17, 6000, 40000}
        "34000280" + "14000180" + "080001000AC90202" + "080002000AC90102" +
        "1C000280" + "0500010011000000" + "0600020017700000" + "060003009C400000" +
        // CTA_STATUS 0x1aa, CTA_MARK 0, CTA_ID 0xceb26452, CTA_USE 1, CTA_TIMEOUT 29 (all big-endian)
        "08000300000001AA" + "0800080000000000" + "08000C00CEB26452" + "08000B0000000001" + "080007000000001D" +
        // NLMSG_DONE: len 20, type 3, flags NLM_F_MULTI, seq 7, pid 0x1234, error 0
        "14000000" + "0300" + "0200" + "07000000" + "34120000" + "00000000");

    private static CtEntry CapturedEntry()
    {
        var reader = new NetlinkMessageReader(CapturedDump);
        Assert.True(reader.TryRead(out var message));
        Assert.True(CtNetlinkMessages.TryParseEntry(message, out var entry));
        Assert.True(reader.TryRead(out var done));
        Assert.Equal(3, done.Type);
        Assert.False(CtNetlinkMessages.TryParseEntry(done, out _));
        return entry;
    }

    private static uint Ip(string address) => CtTuple.ToUInt32(IPAddress.Parse(address));

    [Fact]
    public void Dump_request_matches_the_golden_bytes()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => CtNetlinkMessages.DumpIPv4(ref w, 5));

        byte[] expected =
        [
            // nlmsghdr: len 20, type 0x0101 (CTNETLINK << 8 | IPCTNL_MSG_CT_GET), REQUEST|DUMP (0x0301), seq 5, pid 0
            0x14, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x03, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
            0x02, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Delete_request_matches_the_golden_bytes()
    {
        var entry = new CtEntry(
            new CtTuple(Ip("10.201.1.2"), Ip("10.201.1.1"), 17, 40000, 5000),
            new CtTuple(Ip("10.201.2.2"), Ip("10.201.1.2"), 17, 6000, 40000),
            Id: 0xceb26452, Zone: null, OriginalZone: null);

        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => CtNetlinkMessages.Delete(ref w, 9, entry));

        byte[] expected = Convert.FromHexString(
            // nlmsghdr: len 80, type 0x0102 (IPCTNL_MSG_CT_DELETE), REQUEST|ACK (0x0005), seq 9, pid 0
            "50000000" + "0201" + "0500" + "09000000" + "00000000" +
            // nfgenmsg
            "02000000" +
            // CTA_TUPLE_ORIG (len 52): CTA_TUPLE_IP {src, dst}, CTA_TUPLE_PROTO {num 17, sport 40000, dport 5000}
            "34000100" + "14000100" + "080001000AC90102" + "080002000AC90101" +
            "1C000200" + "0500010011000000" + "060002009C400000" + "0600030013880000" +
            // CTA_ID, big-endian
            "08000C00CEB26452");
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Delete_request_carries_the_zones_of_a_zoned_entry()
    {
        var entry = new CtEntry(
            new CtTuple(Ip("10.0.0.1"), Ip("10.0.0.2"), 6, 1, 2), default, Id: null, Zone: 0x0102, OriginalZone: 0x0304);

        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => CtNetlinkMessages.Delete(ref w, 1, entry));

        string hex = Convert.ToHexString(bytes);
        // CTA_TUPLE_ZONE (3) inside the tuple, whose length grows to 60; CTA_ZONE (18) after it; no CTA_ID.
        Assert.Contains("3C000100", hex);
        Assert.EndsWith("060003000304000006001200" + "01020000", hex);
        Assert.Equal(16 + 4 + 60 + 8, bytes.Length);
    }

    [Fact]
    public void A_captured_dump_parses_into_both_tuples_and_the_id()
    {
        var entry = CapturedEntry();

        Assert.Equal(new CtTuple(Ip("10.201.1.2"), Ip("10.201.1.1"), 17, 40000, 5000), entry.Original);
        Assert.Equal(new CtTuple(Ip("10.201.2.2"), Ip("10.201.1.2"), 17, 6000, 40000), entry.Reply);
        Assert.Equal(0xceb26452u, entry.Id);
        Assert.Null(entry.Zone);
        Assert.Null(entry.OriginalZone);
        Assert.Equal(
            new ConntrackEntry("udp",
                IPEndPoint.Parse("10.201.1.2:40000"), IPEndPoint.Parse("10.201.1.1:5000"),
                IPEndPoint.Parse("10.201.2.2:6000"), IPEndPoint.Parse("10.201.1.2:40000")),
            CtNetlinkMessages.ToPublic(entry));
    }

    [Fact]
    public void Deleting_a_parsed_entry_names_it_by_its_original_tuple_and_id()
    {
        var entry = CapturedEntry();
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => CtNetlinkMessages.Delete(ref w, 1, entry));

        // The original tuple as the kernel sent it, without the NLA_F_NESTED bits (the kernel accepts both).
        string hex = Convert.ToHexString(bytes);
        Assert.Contains("34000100" + "14000100" + "080001000AC90102" + "080002000AC90101", hex);
        Assert.EndsWith("08000C00CEB26452", hex);
    }

    [Theory]
    [InlineData(17, 5000, "10.201.2.2", 6000, true)]
    [InlineData(6, 5000, "10.201.2.2", 6000, false)]   // other protocol
    [InlineData(17, 5001, "10.201.2.2", 6000, false)]  // other host port
    [InlineData(17, 5000, "10.201.2.3", 6000, false)]  // other container
    [InlineData(17, 5000, "10.201.2.2", 6001, false)]  // other container port
    public void The_captured_entry_is_natted_to_its_own_reply_source_only(byte protocol, int hostPort, string container, int containerPort, bool expected)
    {
        Assert.Equal(expected, CtNetlinkMessages.IsNatTo(CapturedEntry(), protocol, (ushort)hostPort, Ip(container), (ushort)containerPort));
    }

    [Fact]
    public void A_connection_that_was_not_translated_is_no_mappings()
    {
        // Client straight to the container's 10.201.2.2:6000 while a mapping host 6000 → 10.201.2.2:6000 exists.
        var direct = new CtEntry(
            new CtTuple(Ip("10.201.1.2"), Ip("10.201.2.2"), 17, 40000, 6000),
            new CtTuple(Ip("10.201.2.2"), Ip("10.201.1.2"), 17, 6000, 40000), 1, null, null);
        Assert.False(CtNetlinkMessages.IsNatTo(direct, 17, 6000, Ip("10.201.2.2"), 6000));
        // Same ports through the host address: translated, so the mapping's.
        var natted = direct with { Original = direct.Original with { Destination = Ip("10.201.1.1") } };
        Assert.True(CtNetlinkMessages.IsNatTo(natted, 17, 6000, Ip("10.201.2.2"), 6000));
    }

    [Fact]
    public void An_ipv6_or_foreign_message_is_skipped()
    {
        byte[] datagram = (byte[])CapturedDump.Clone();
        datagram[16] = 10; // nfgen_family AF_INET6
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var ipv6));
        Assert.False(CtNetlinkMessages.TryParseEntry(ipv6, out _));

        datagram = (byte[])CapturedDump.Clone();
        datagram[4] = 0x02; // IPCTNL_MSG_CT_DELETE, not an entry of a dump
        reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var other));
        Assert.False(CtNetlinkMessages.TryParseEntry(other, out _));
    }

    [Fact]
    public void A_truncated_tuple_is_skipped_not_misread()
    {
        byte[] datagram = (byte[])CapturedDump.Clone();
        // Rename CTA_IP_V4_SRC of the original tuple (offset 16 + 4 + 4 + 4 + 2) to an unknown attribute.
        datagram[30] = 9;
        var reader = new NetlinkMessageReader(datagram);
        Assert.True(reader.TryRead(out var message));
        Assert.False(CtNetlinkMessages.TryParseEntry(message, out _));
    }

    [Theory]
    [InlineData("icmp", 80, "10.0.0.2", 80)]
    [InlineData("TCP", 80, "10.0.0.2", 80)]
    [InlineData("tcp", 0, "10.0.0.2", 80)]
    [InlineData("tcp", 80, "10.0.0.2", 65536)]
    [InlineData("udp", 80, "fd00::2", 80)]
    public void Bad_arguments_are_refused_before_any_socket(string protocol, int hostPort, string container, int containerPort)
    {
        Assert.ThrowsAny<ArgumentException>(() => new CtNetlink().DeleteNatTo([new NatTarget(protocol, hostPort, IPAddress.Parse(container), containerPort)]));
    }
}
