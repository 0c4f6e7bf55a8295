using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Netlink.ClassicBpfInstruction;

namespace MyDocker.Engine.Networks;

/// <summary>
/// Keeps containers away from the host's loopback services on a bridge that has route_localnet on (needed so the host
/// can reach published ports as 127.0.0.1:PORT, see <see cref="Kernel.Sysctl.SetRouteLocalnet"/>): a classic BPF
/// program on the bridge device's own tc ingress hook drops every IPv4 packet addressed to 127/8 before the IP stack
/// sees it. Frames a bridge passes up to the host (br_pass_frame_up) are received again on the bridge device and go
/// through its tc ingress (sch_handle_ingress in __netif_receive_skb_core) before ip_rcv.
/// <para>Why here and not only in nftables: the guard must hold with no window — after `nft flush ruleset` (what
/// `systemctl restart nftables` does), while the daemon is down, and during start-up. A tc filter belongs to the device:
/// no ruleset flush touches it, it lives exactly as long as the bridge, and the engine attaches it before it turns
/// route_localnet on. The nftables guard chain stays as a second layer. Classic BPF because this kernel's config has
/// cls_bpf but neither act_gact nor cls_flower/matchall, and a classic program needs no bpf() syscall or object
/// file; direct-action (TCA_BPF_FLAG_ACT_DIRECT) makes its return value the verdict.</para>
/// <para>The program (offsets are from the start of the Ethernet frame, which cls_bpf pushes back at ingress):</para>
/// <code>
/// 0  ld  skb->protocol
/// 1  jeq #0x0800 (IPv4)         → 2, else → 4
/// 2  ldb [30]                    first byte of the IPv4 destination (14-byte Ethernet header + 16)
/// 3  jeq #127                   → 7, else → 6
/// 4  jeq #0x8100 (802.1Q)       → 7, else → 5
/// 5  jeq #0x88a8 (802.1ad)      → 7, else → 6
/// 6  ret TC_ACT_UNSPEC           not ours to judge: the next filter, if any, decides
/// 7  ret TC_ACT_SHOT             drop
/// </code>
/// VLAN-tagged frames are dropped because a frame with two priority tags (VLAN id 0, then 0 again) reaches the bridge's
/// tc ingress with protocol 802.1Q and is only unwrapped afterwards (the "check_vlan_id" path of
/// __netif_receive_skb_core strips VLAN-0 tags and delivers the inner IPv4 packet): checked on this kernel, such a frame
/// for 127.0.0.1 passed an IPv4-only version of this program and reached a socket bound to 127.0.0.1. Containers have
/// no reason to send tagged frames to the host. A packet too short for [30] ends the program with 0 (TC_ACT_OK), and
/// ip_rcv drops it as truncated.
/// </summary>
public static class LoopbackGuard
{
    /// <summary>The filter's priority on the ingress hook: 1 runs before any other priority.</summary>
    public const ushort Priority = 1;
    public const uint Handle = 1;

    private const uint TcActUnspec = uint.MaxValue, TcActShot = 2;

    public static readonly IReadOnlyList<ClassicBpfInstruction> Program =
    [
        LoadProtocol(),
        JumpIfEqual(0x0800, 0, 2),
        LoadByte(14 + 16),
        JumpIfEqual(127, 3, 2),
        JumpIfEqual(0x8100, 2, 0),
        JumpIfEqual(0x88a8, 1, 0),
        Return(TcActUnspec),
        Return(TcActShot),
    ];

    /// <summary>Attaches the guard to the device (idempotent: a guard already there is replaced by the same program).</summary>
    public static void Install(IRtNetlink netlink, int ifindex)
    {
        netlink.AddClsactQdisc(ifindex);
        netlink.ReplaceIngressBpfFilter(ifindex, Priority, Handle, Program.ToArray());
    }

    /// <summary>True when the device's ingress hook holds exactly this program in direct-action mode at our priority.</summary>
    public static bool IsInstalled(IRtNetlink netlink, int ifindex) =>
        netlink.ListIngressFilters(ifindex).Any(f => f is { Kind: "bpf", Priority: Priority, Handle: Handle, DirectAction: true }
                                                     && f.ClassicProgram is { } p && p.SequenceEqual(Program));
}
