using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.UnitTests.Networks;

/// <summary>
/// `network rm` with one failing step: every other step still runs, the error lists every failure, and each failure
/// keeps its kind (and errno); the record is kept, and a reconcile finishes the removal once the fault is gone.
/// </summary>
public sealed class NetworkTeardownTests
{
    private const string Idle = "lo               UP             127.0.0.1/8\n--\nnet.ipv4.ip_forward=0\n--\n";

    [Fact]
    public async Task A_firewall_that_refuses_the_removal_still_lets_the_bridge_and_the_pool_go()
    {
        await using var lab = await NetworkLab.StartAsync();
        var web = await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        lab.Nft.FailWhen(c => c.Contains("delete element ip mydocker bridges", StringComparison.Ordinal), "Error: Could not process rule: Device or resource busy");

        var e = await Assert.ThrowsAsync<TeardownException>(() => lab.Networks.RemoveAsync("web"));

        var failure = Assert.Single(e.Failures);
        Assert.Equal("remove firewall elements of br-web", failure.Step);
        var kind = Assert.IsType<EngineException>(failure.Error, exactMatch: false);
        Assert.Equal(ErrorKind.Internal, kind.Kind);
        Assert.IsType<NftException>(kind.InnerException);
        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.StartsWith("removing network 'web' failed in 1 step(s): remove firewall elements of br-web: Removing network bridge 'br-web'", e.Message);
        Assert.EndsWith("The record is kept; run 'mydocker system reconcile' to finish the clean-up.", e.Message);
        // The steps after it ran: the bridge is gone, the pool closed; the table still holds the network.
        await lab.SettleAsync();
        Assert.DoesNotContain("br-web", lab.Netlink.Dump());
        Assert.Contains("\"br-web\"", lab.Nft.Dump());
        Assert.Empty(await lab.Networks.ListAsync());

        lab.Nft.ClearFailures();
        var result = await lab.Reconciler.RunStepsAsync();
        Assert.Empty(result.Failures);
        Assert.Contains("network 'web' (bridge br-web) removal finished", result.Report.Removed);
        Assert.Equal(Idle, lab.Kernel(web.Network.Id));
    }

    [Fact]
    public async Task A_bridge_the_kernel_will_not_retire_keeps_its_errno_and_the_firewall_and_pool_still_go()
    {
        await using var lab = await NetworkLab.StartAsync();
        await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        lab.Netlink.Fail("DeleteAddress", KernelException.EBUSY, name => name == "br-web");

        var e = await Assert.ThrowsAsync<TeardownException>(() => lab.Networks.RemoveAsync("web"));

        var failure = Assert.Single(e.Failures);
        Assert.Equal("delete bridge br-web", failure.Step);
        Assert.Equal(KernelException.EBUSY, Assert.IsType<KernelException>(failure.Error).Errno);
        Assert.DoesNotContain("br-web", lab.Nft.Dump());
        Assert.Contains("br-web           UP             10.1.0.1/24", lab.Netlink.Dump());

        lab.Netlink.ClearFailures();
        Assert.Empty((await lab.Reconciler.RunStepsAsync()).Failures);
        Assert.Equal(Idle, lab.Kernel());
    }

    [Fact]
    public async Task Two_failing_steps_are_both_reported_each_with_its_kind()
    {
        await using var lab = await NetworkLab.StartAsync();
        await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        lab.Nft.FailWhen(c => c.Contains("delete element ip mydocker bridges", StringComparison.Ordinal));
        lab.Netlink.Fail("DeleteAddress", KernelException.EBUSY);

        var e = await Assert.ThrowsAsync<TeardownException>(() => lab.Networks.RemoveAsync("web"));

        Assert.Equal(["remove firewall elements of br-web", "delete bridge br-web"], e.Failures.Select(f => f.Step));
        Assert.IsType<EngineException>(e.Failures[0].Error);
        Assert.Equal(KernelException.EBUSY, Assert.IsType<KernelException>(e.Failures[1].Error).Errno);
        Assert.Contains("failed in 2 step(s)", e.Message);
        Assert.Equal(e.Failures, StepFailure.Flatten([new StepFailure("rm", e)]));
    }
}
