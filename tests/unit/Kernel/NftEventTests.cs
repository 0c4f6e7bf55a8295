using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.UnitTests.Kernel;

/// <summary>
/// nftables notifications as the kernel sends them on NFNLGRP_NFTABLES: datagrams captured once in a throw-away netns
/// (kernel 6.18, nft 1.0.6, iptables 1.8.9 nf_tables), read by a socket joined to the group.
/// </summary>
public class NftEventTests
{
    // `nft add table ip mydocker; add chain ip mydocker hp_x`: NEWTABLE and NEWCHAIN in one datagram, then NEWGEN
    // (generation 2, pid 0x632, "nft") in a second one.
    private const string NftObjects =
        "40000000000a00000100000032060000020000020d0001006d79646f636b65720000000008000300000000010c0004000000000000000001080002000000000044000000030a00040200000032060000020000020d0001006d79646f636b6572000000000900030068705f78000000000c00020000000000000000010800060000000000";
    private const string NftGen = "2c0000000f0a000001000000320600000000000208000100000000020800020000000632080003006e667400";
    // `iptables -P FORWARD DROP` (iptables-nft): NEWTABLE filter, NEWCHAIN FORWARD twice (made, then its policy), NEWGEN
    // (generation 3, "iptables").
    private const string IptablesObjects =
        "3c000000000a00040200000033060000020000030b00010066696c746572000008000300000000010c0004000000000000000002080002000000000070000000030a00040300000033060000020000030b00010066696c74657200000c000300464f5257415244000c0002000000000000000001140004000800010000000002080002000000000008000500000000010b00070066696c746572000008000a000000000108000600000000008c000000030a00000400000033060000020000030b00010066696c74657200000c000300464f5257415244000c0002000000000000000001140004000800010000000002080002000000000008000500000000000b00070066696c74657200001c0008000c00020000000000000000000c000100000000000000000008000a00000000010800060000000000";
    private const string IptablesGen = "340000000f0a0000020000003306000000000003080001000000000308000200000006330d00030069707461626c657300000000";

    private static List<NftTransaction> Parse(NftNotificationParser parser, params string[] datagrams)
    {
        var done = new List<NftTransaction>();
        foreach (var hex in datagrams)
        {
            var reader = new NetlinkMessageReader(Convert.FromHexString(hex));
            while (reader.TryRead(out var m))
                if (parser.Read(m) is { } t) done.Add(t);
        }
        return done;
    }

    [Fact]
    public void A_transaction_ends_with_its_generation_and_names_the_process_and_every_table_it_touched()
    {
        var parser = new NftNotificationParser();
        var nft = Assert.Single(Parse(parser, NftObjects, NftGen));
        Assert.Equal((2u, 0x632, "nft"), (nft.Generation, nft.ProcessId, nft.ProcessName));
        Assert.Equal([new NftTableName("ip", "mydocker")], nft.Tables);
        Assert.True(nft.Touches("ip", "mydocker"));
        Assert.False(nft.Touches("inet", "mydocker"));

        var iptables = Assert.Single(Parse(parser, IptablesObjects, IptablesGen));
        Assert.Equal((3u, "iptables"), (iptables.Generation, iptables.ProcessName));
        Assert.Equal([new NftTableName("ip", "filter")], iptables.Tables);
    }

    [Fact]
    public void Notifications_split_across_reads_make_one_transaction_and_a_reset_forgets_a_half_read_one()
    {
        var parser = new NftNotificationParser();
        Assert.Empty(Parse(parser, NftObjects));
        Assert.Single(Parse(parser, NftGen)[0].Tables);

        Assert.Empty(Parse(parser, IptablesObjects));
        parser.Reset();                       // notifications were lost: what was read of this transaction is not all of it
        Assert.Empty(Assert.Single(Parse(parser, IptablesGen)).Tables);
    }

    [Fact]
    public void The_policy_and_hook_of_a_chain_are_read_from_the_kernels_answer()
    {
        // The second NEWCHAIN of IptablesObjects, after its 20 bytes of nlmsghdr and nfgenmsg: hook forward (2), policy
        // drop (0), as NFT_MSG_GETCHAIN answers for the chain.
        var reader = new NetlinkMessageReader(Convert.FromHexString(IptablesObjects));
        var chains = new List<NftChainInfo>();
        while (reader.TryRead(out var m))
            if ((m.Type & 0xff) == NftNetlink.NFT_MSG_NEWCHAIN) chains.Add(NftNetlink.ParseChain(m.Payload[4..], m.Payload[0]));
        Assert.Equal([new NftChainInfo("forward", "accept"), new NftChainInfo("forward", "drop")], chains);
    }
}
