using System.Buffers.Binary;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>
/// The nftables ruleset generation of the calling thread's network namespace: the kernel bumps it with every committed
/// transaction, whoever made it (NFT_MSG_GETGEN, answered by nf_tables_getgen with NFTA_GEN_ID). Asking costs one small
/// netlink exchange, so a watcher can skip listing a table that cannot have changed since it was last checked.
/// </summary>
internal static class NftGeneration
{
    // linux/netfilter/nfnetlink.h and nf_tables.h.
    private const byte NFNL_SUBSYS_NFTABLES = 10, NFNETLINK_V0 = 0;
    private const ushort NFT_MSG_NEWGEN = 15, NFT_MSG_GETGEN = 16, NFTA_GEN_ID = 1;
    private const ushort GetGen = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN;
    private const ushort NewGen = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWGEN;

    /// <summary>The generation, or null when it cannot be read (the watcher then compares the whole table).</summary>
    public static uint? TryRead()
    {
        try
        {
            using var socket = NetlinkSocket.Open(Libc.NETLINK_NETFILTER);
            Span<byte> buffer = stackalloc byte[64];
            var w = new NetlinkMessageWriter(buffer);
            w.BeginMessage(GetGen, NLM_F_REQUEST | NLM_F_ACK, socket.NextSequence());
            w.WriteNfGenMsg(0 /* AF_UNSPEC */, NFNETLINK_V0, 0);
            w.EndMessage();
            uint? generation = null;
            socket.Request("get the nftables generation", null, w.Written, m =>
            {
                if (m.Type != NewGen || m.Payload.Length < 4) return;
                var attributes = new NetlinkAttributeReader(m.Payload[4..]);
                while (attributes.TryRead(out ushort type, out var value))
                    if (type == NFTA_GEN_ID && value.Length >= 4) generation = BinaryPrimitives.ReadUInt32BigEndian(value);
            });
            return generation;
        }
        catch (KernelException) { return null; }
    }
}
