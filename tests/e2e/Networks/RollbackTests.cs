using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>A create that fails half-way (here: the kernel refuses the firewall step) leaves nothing behind.</summary>
public sealed class RollbackTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("rb");

    public void Dispose() => _d.Dispose();

    [Fact]
    public void A_firewall_failure_after_the_bridge_was_made_rolls_everything_back()
    {
        // Someone replaced our table with one whose "bridges" set holds addresses: adding a bridge name to it fails,
        // after the bridge, its alias and its address were already made.
        _d.Netns.Exec("nft", "add", "table", "ip", "mydocker");
        _d.Netns.Exec("nft", "add", "set", "ip", "mydocker", "bridges", "{ type ipv4_addr; }");
        var before = KernelSnapshot.Of(_d.Netns);

        var r = _d.Cli("network", "create", "--subnet", "10.60.0.0/24", "doomed");
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("Error:", r.Stderr.TrimStart());
        Assert.Contains("md-", r.Stderr); // names the bridge whose rules could not be added

        Assert.Empty(_d.NetworkNames());
        _d.Eventually(() => KernelSnapshot.Of(_d.Netns).Describe() == before.Describe(), "the kernel back as it was");

        // The name and subnet are free; reconcile puts our own table back, and the create then works.
        _d.CliOk("system", "reconcile");
        _d.CliOk("network", "create", "--subnet", "10.60.0.0/24", "doomed");
    }
}
