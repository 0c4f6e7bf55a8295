using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Netlink.ClassicBpfInstruction;

namespace MyDocker.Engine.Networks.Bridge;

/// <summary>
/// Keeps containers away from the host's loopback services on bridges with route_localnet on (needed so the host can
/// reach published ports as 127.0.0.1:PORT, see <see cref="Kernel.Sysctl.SetRouteLocalnet"/>): a classic BPF program on
/// the tc ingress hook of every bridge port (each container's host-side veth) drops IPv4 packets addressed to 127/8 as
/// they leave the container, before the bridge or the host's IP stack sees them. tc ingress runs in
/// __netif_receive_skb_core before the device's rx_handler, so before the bridge and br_netfilter.
/// <para>Why a tc filter and not only nftables: the guard must hold with no window — after `nft flush ruleset` (what
/// `systemctl restart nftables` does), while the daemon is down, and during start-up. A tc filter belongs to its device:
/// no ruleset flush touches it, it lives exactly as long as the veth, and the engine attaches it before the veth joins
/// its bridge. The nftables guard chain stays as a second layer. Classic BPF because this kernel's config has cls_bpf but
/// neither act_gact nor cls_flower/matchall, and a classic program needs no bpf() syscall or object file;
/// direct-action (TCA_BPF_FLAG_ACT_DIRECT) makes its return value the verdict.</para>
/// <para>Why on the ports and not on the bridge device (whose ingress also sees what the bridge passes up to the host):
/// with br_netfilter (bridge-nf-call-iptables=1, the kernel's default, built in here) conntrack and NAT run at the bridge
/// port, before the frame is passed up. The reply to the host's own connection to 127.0.0.1:PORT — masqueraded to the
/// bridge address on the way out — is then already translated back to 127.0.0.1 when it reaches the bridge device's
/// ingress, indistinguishable there from an attack. Checked on this kernel: a guard on the bridge device broke
/// host→127.0.0.1:PORT with bridge-nf-call-iptables=1; on the ports both settings work, and the attack is dropped.</para>
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
/// Frames that still carry a VLAN tag at this point are dropped: the outer tag is already moved out of the frame
/// (skb_vlan_untag) and one tag shows as its inner protocol, but two or more priority tags (VLAN id 0) show as 802.1Q, and
/// the receive path strips VLAN-0 tags one after another later (the "check_vlan_id" path of __netif_receive_skb_core)
/// and delivers the inner IPv4 packet. Checked on this kernel: such a frame for 127.0.0.1 passed an IPv4-only version of
/// this program and reached a socket bound to 127.0.0.1. A container has no use for double-tagged frames. A packet too
/// short for [30] ends the program with 0 (TC_ACT_OK), and ip_rcv drops it as truncated.
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

    /// <summary>Attaches the guard to a bridge port (idempotent: a guard already there is replaced by the same program).</summary>
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
