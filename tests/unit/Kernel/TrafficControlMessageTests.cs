using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks;

namespace MyDocker.UnitTests.Kernel;

/// <summary>Golden bytes of the tc requests behind the loopback guard (M2), taken from what iproute2 sends for the same
/// commands (strace of `tc qdisc add dev X clsact` and `tc filter replace dev X ingress prio 1 handle 1 protocol all bpf
/// da bytecode ...` on this kernel), and parsing of the kernel's filter dump.</summary>
public class TrafficControlMessageTests
{
    /// <summary>The guard's program as `tc filter show` prints it (and as it was checked by hand with tc on this kernel).</summary>
    private const string GuardBytecode =
        "8,32 0 0 4294963200,21 0 2 2048,48 0 0 30,21 3 2 127,21 2 0 33024,21 1 0 34984,6 0 0 4294967295,6 0 0 2";

    [Fact]
    public void M2_the_guard_program_is_the_one_checked_by_hand_with_tc()
    {
        string printed = LoopbackGuard.Program.Count + "," + string.Join(",", LoopbackGuard.Program.Select(i => $"{i.Code} {i.Jt} {i.Jf} {i.K}"));
        Assert.Equal(GuardBytecode, printed);
    }

    [Fact]
    public void Clsact_qdisc_request_matches_iproute2()
    {
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.AddClsactQdisc(ref w, 1, 7));
        byte[] expected =
        [
            // nlmsghdr: len 48, RTM_NEWQDISC (36), REQUEST|ACK|EXCL|CREATE (0x0605), seq 1
            0x30, 0x00, 0x00, 0x00, 0x24, 0x00, 0x05, 0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // tcmsg: AF_UNSPEC + padding, ifindex 7, handle ffff:0, parent TC_H_CLSACT (ffff:fff1), info 0
            0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xf1, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
            // TCA_KIND (1), len 11: "clsact\0" + 1 byte of padding
            0x0b, 0x00, 0x01, 0x00, (byte)'c', (byte)'l', (byte)'s', (byte)'a', (byte)'c', (byte)'t', 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Bpf_filter_request_matches_iproute2()
    {
        var program = LoopbackGuard.Program.ToArray();
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.ReplaceIngressBpfFilter(ref w, 1, 7, 1, 1, program));
        byte[] expected =
        [
            // nlmsghdr: len 132, RTM_NEWTFILTER (44), REQUEST|ACK|CREATE (0x0405: tc filter replace), seq 1
            0x84, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x05, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            // tcmsg: ifindex 7, handle 1, parent ffff:fff2 (clsact ingress), info: prio 1 << 16 | htons(ETH_P_ALL)
            0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xf2, 0xff, 0xff, 0xff, 0x00, 0x03, 0x01, 0x00,
            // TCA_KIND "bpf\0"
            0x08, 0x00, 0x01, 0x00, (byte)'b', (byte)'p', (byte)'f', 0x00,
            // TCA_OPTIONS (2), len 88; the bytes below are iproute2's
            0x58, 0x00, 0x02, 0x00,
            //   TCA_BPF_OPS_LEN (4): u16 8, padded
            0x06, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
            //   TCA_BPF_OPS (5), len 68: 8 × struct sock_filter
            0x44, 0x00, 0x05, 0x00,
            0x20, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xff, 0xff, 0x15, 0x00, 0x00, 0x02, 0x00, 0x08, 0x00, 0x00,
            0x30, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x15, 0x00, 0x03, 0x02, 0x7f, 0x00, 0x00, 0x00,
            0x15, 0x00, 0x02, 0x00, 0x00, 0x81, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, 0xa8, 0x88, 0x00, 0x00,
            0x06, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x06, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
            //   TCA_BPF_FLAGS (8): TCA_BPF_FLAG_ACT_DIRECT
            0x08, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00,
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_filter_dump_reply_parses_into_kind_priority_handle_and_program()
    {
        // What the kernel sends back for the filter above: the request's layout with RTM_NEWTFILTER as a reply.
        var program = LoopbackGuard.Program.ToArray();
        var bytes = NetlinkGolden.Build((ref NetlinkMessageWriter w) => RtNetlinkRequests.ReplaceIngressBpfFilter(ref w, 1, 7, 1, 1, program));
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        var filter = RtNetlinkReplies.ParseTcFilter(message);

        Assert.NotNull(filter);
        Assert.Equal(("bpf", (ushort)1, 1u, true), (filter.Kind, filter.Priority, filter.Handle, filter.DirectAction));
        Assert.Equal(LoopbackGuard.Program, filter.ClassicProgram);
    }
}
