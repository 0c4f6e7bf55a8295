using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.E2ETests.Kernel;

/// <summary>The kernel's nftables notifications and chain questions, in a throw-away netns.</summary>
public sealed class NftEventsTests : IDisposable
{
    private readonly TestNetns _ns = new("nfev");

    public void Dispose() => _ns.Dispose();

    /// <summary>Reads until <paramref name="count"/> transactions arrived (or the bounded wait ends).</summary>
    private static (List<NftTransaction> Done, bool Lost) Collect(INftEvents events, int count)
    {
        var done = new List<NftTransaction>();
        bool lost = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (done.Count < count && !lost && DateTime.UtcNow < deadline)
        {
            var changes = events.Next(TimeSpan.FromSeconds(1));
            done.AddRange(changes.Transactions);
            lost |= changes.Lost;
        }
        return (done, lost);
    }

    [Fact]
    public void Every_committed_transaction_is_announced_with_its_tables_and_its_process_and_a_listing_is_not()
    {
        using var events = _ns.Run(() => NftEvents.Open());
        _ns.Exec("nft", "add table ip t1; add chain ip t1 c; add table inet t2");
        _ns.Exec("nft", "list", "ruleset");
        _ns.Exec("iptables", "-P", "FORWARD", "DROP");

        var (done, lost) = Collect(events, 2);
        Assert.False(lost);
        Assert.Equal(2, done.Count);
        Assert.Equal("nft", done[0].ProcessName);
        Assert.Equal([new NftTableName("ip", "t1"), new NftTableName("inet", "t2")], done[0].Tables.OrderBy(t => t.Name));
        Assert.Equal("iptables", done[1].ProcessName);
        Assert.True(done[1].Touches("ip", "filter"));
        Assert.Equal(done[0].Generation + 1, done[1].Generation);
        using var netlink = _ns.Run(NftNetlink.Open);
        Assert.Equal(done[1].Generation, netlink.ReadGeneration());
        Assert.True(done[1].ProcessId > 0);
        Assert.Empty(events.Next(TimeSpan.FromMilliseconds(200)).Transactions);   // the listing committed nothing
    }

    [Fact]
    public void An_overflowed_queue_is_reported_as_lost_and_later_transactions_still_arrive()
    {
        // The smallest queue the kernel allows: a few notifications fill it.
        using var events = _ns.Run(() => NftEvents.Open(receiveBufferBytes: 1));
        _ns.Exec("nft", string.Join("; ", Enumerable.Range(0, 200).Select(i => $"add table ip many{i}")));

        var (_, lost) = Collect(events, 1);
        Assert.True(lost, "200 notifications in a queue of a few kilobytes: the kernel dropped some and said so (ENOBUFS)");
        _ns.Exec("nft", "add table ip after");
        var (done, _) = Collect(events, 1);
        Assert.Contains(done, t => t.Touches("ip", "after"));
    }

    [Fact]
    public void A_chain_is_read_by_name_with_its_hook_and_policy()
    {
        using var netlink = _ns.Run(NftNetlink.Open);
        Assert.Null(netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", "FORWARD"));
        _ns.Exec("iptables", "-P", "FORWARD", "DROP");
        Assert.Equal(new NftChainInfo("forward", "drop"), netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", "FORWARD"));
        _ns.Exec("iptables", "-P", "FORWARD", "ACCEPT");
        Assert.Equal(new NftChainInfo("forward", "accept"), netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", "FORWARD"));
        _ns.Exec("nft", "add chain ip filter mine");
        Assert.Equal(new NftChainInfo(null, null), netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", "mine"));
        Assert.Null(netlink.GetChain(NftNetlink.NFPROTO_IPV4, "filter", "nope"));
    }
}
