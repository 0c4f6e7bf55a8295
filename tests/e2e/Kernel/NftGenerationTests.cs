using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.E2ETests.Kernel;

/// <summary>The nftables ruleset generation, read through netlink in a throw-away netns.</summary>
public sealed class NftGenerationTests : IDisposable
{
    private readonly TestNetns _ns = new("gen");

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void The_generation_moves_by_one_with_every_transaction_and_only_then()
    {
        using var netlink = _ns.Run(NftNetlink.Open);
        uint? Read() => netlink.ReadGeneration();
        var before = Read();
        Assert.NotNull(before);
        Assert.Equal(before, Read());
        // One batch of several commands is one transaction: NftFirewall relies on "exactly one more" meaning "only ours".
        _ns.Exec("nft", "add table ip gentest; add chain ip gentest c; add table ip gentest2");
        var after = Read();
        Assert.Equal(before + 1, after);
        Assert.Equal(after, Read());
        _ns.Exec("nft", "list", "ruleset");
        Assert.Equal(after, Read());
    }
}
