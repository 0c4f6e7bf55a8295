using MyDocker.Engine;
using MyDocker.Engine.Kernel;
using MyDocker.UnitTests.Networks;

namespace MyDocker.UnitTests.Reconcile;

/// <summary>
/// The reconciler's network steps against a kernel someone changed behind the engine's back: what it repairs and what it
/// removes, as golden "kernel after" text, and each failure kept with its kind while the other steps still run.
/// </summary>
public sealed class NetworkReconcileTests
{
    private const string OrphanAlias = "mydocker:net:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Drift_is_repaired_and_orphans_removed_leaving_the_kernel_as_the_records_say()
    {
        await using var lab = await NetworkLab.StartAsync();
        var web = await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        string clean = lab.Kernel(web.Network.Id);
        // Someone: takes the gateway address away and the bridge down, flushes the ruleset, leaves a device of ours no
        // record owns (a crash of an older daemon), and makes a device of their own.
        var bridge = lab.Netlink.GetLink("br-web")!;
        lab.Netlink.DeleteAddress(bridge.Index, System.Net.IPAddress.Parse("10.1.0.1"), 24);
        lab.Netlink.SetDown("br-web");
        lab.Nft.Table!.Flush();
        lab.Netlink.AddForeignLink("br-gone", "bridge", OrphanAlias);
        int eth0 = lab.Netlink.AddForeignLink("eth0");
        lab.Netlink.AddAddress(eth0, System.Net.IPAddress.Parse("192.0.2.10"), 24);

        var result = await lab.Reconciler.RunStepsAsync();

        Assert.Empty(result.Failures);
        Assert.Equal([
            "address 10.1.0.1/24 of bridge br-web restored",
            "bridge br-web brought up",
            "nftables table created for 1 network(s) and 0 published port(s)",
        ], result.Report.Repaired);
        Assert.Equal([$"orphan bridge br-gone ({OrphanAlias}) deleted"], result.Report.Removed);
        // Everything as it was after the create, and someone's own device left as it is.
        Assert.Equal(clean, string.Join('\n', lab.Kernel(web.Network.Id).Split('\n').Where(l => !l.Contains("eth0"))));
        Assert.Equal("""
            lo               UP             127.0.0.1/8
            br-web           UP             10.1.0.1/24 <bridge> alias mydocker:net:<id>
            eth0             UP             192.0.2.10/24
            10.1.0.0/24 dev br-web
            192.0.2.0/24 dev eth0

            """, lab.Netlink.Dump().Replace(web.Network.Id, "<id>"));
    }

    [Fact]
    public async Task A_deleted_bridge_is_made_again_with_its_mark_address_and_settings()
    {
        await using var lab = await NetworkLab.StartAsync();
        var web = await lab.CreateAsync("web", "10.1.0.0/24", "br-web", isInternal: true);
        string clean = lab.Kernel(web.Network.Id);
        lab.Netlink.DeleteLink("br-web");

        var result = await lab.Reconciler.RunStepsAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(["bridge br-web of network 'web' re-created"], result.Report.Repaired);
        Assert.Equal(clean, lab.Kernel(web.Network.Id));
    }

    [Fact]
    public async Task A_step_that_fails_keeps_its_kind_and_errno_and_the_other_steps_still_run()
    {
        await using var lab = await NetworkLab.StartAsync();
        await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        await lab.CreateAsync("db", "10.2.0.0/24", "br-db");
        // br-web replaced by a device that is not ours; an orphan the kernel will not delete; br-db lost its address.
        lab.Netlink.DeleteLink("br-web");
        lab.Netlink.AddForeignLink("br-web", "bridge");
        lab.Netlink.AddForeignLink("br-gone", "bridge", OrphanAlias);
        lab.Netlink.Fail("DeleteLink", KernelException.EBUSY, name => name == "br-gone");
        var db = lab.Netlink.GetLink("br-db")!;
        lab.Netlink.DeleteAddress(db.Index, System.Net.IPAddress.Parse("10.2.0.1"), 24);

        var result = await lab.Reconciler.RunStepsAsync();

        Assert.Equal(["bridge of network 'web'", "orphan device br-gone"], result.Failures.Select(f => f.Step));
        Assert.Equal(ErrorKind.Conflict, Assert.IsType<EngineException>(result.Failures[0].Error, exactMatch: false).Kind);
        Assert.Equal(KernelException.EBUSY, Assert.IsType<KernelException>(result.Failures[1].Error).Errno);
        Assert.Equal(2, result.Report.Errors.Count);
        Assert.StartsWith("bridge of network 'web': device br-web of network 'web' exists but is not marked as ours", result.Report.Errors[0]);
        // The other network was still repaired, and the foreign device left alone.
        Assert.Equal(["address 10.2.0.1/24 of bridge br-db restored"], result.Report.Repaired);
        Assert.Contains("br-web           UP", lab.Netlink.Dump());
        Assert.Contains("br-db            UP             10.2.0.1/24", lab.Netlink.Dump());
    }
}
