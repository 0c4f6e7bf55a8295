using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>The reconciler on demand (`mydocker system reconcile`) beside running operations, and against drift.</summary>
public sealed class ContainerReconcileTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("crc").WithBusybox();

    public void Dispose() => _d.Dispose();

    [Fact]
    public async Task A_reconcile_beside_runs_takes_nothing_from_containers_being_made()
    {
        _d.CliOk("network", "create", "--subnet", "10.96.0.0/24", "busy");
        using var stop = new CancellationTokenSource();
        var reconciles = Task.Run(() =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested) { _d.CliOk("system", "reconcile"); n++; }
            return n;
        });
        var runs = Enumerable.Range(0, 8).Select(i => Task.Run(() => _d.RunDetached("--name", $"c{i}", "--network", "busy", "busybox", "sleep", "1000"))).ToArray();
        var ids = await Task.WhenAll(runs);
        stop.Cancel();
        Assert.True(await reconciles > 0);

        foreach (var i in Enumerable.Range(0, 8))
        {
            Assert.Equal("running", _d.StateOf($"c{i}"));
            string id = ids[i];
            Assert.Equal(0, _d.InContainerNetns(id, "ip", "link", "show", "eth0").ExitCode);
        }
        Assert.Equal(8, _d.InspectNetwork("busy").GetProperty("Containers").EnumerateObject().Count());
    }

    [Fact]
    public void Drift_is_repaired_a_deleted_veth_and_an_unmounted_rootfs_come_back()
    {
        string id = _d.RunDetached("--name", "drift", "busybox", "sleep", "1000");
        string ip = _d.IpOf("drift");
        _d.Netns.Exec("ip", "link", "delete", "mdv" + id[..12]);
        Command.Run("umount", ["-l", Path.Combine(_d.DataRoot, "containers", id, "rootfs")]);

        var report = _d.CliOk("system", "reconcile");
        Assert.Contains("drift", report);
        Assert.Equal(0, _d.InContainerNetns(id, "ip", "link", "show", "eth0").ExitCode);
        Assert.True(Firewall.BridgeLab.Ping(_d.Netns, ip), "the re-made veth carries traffic");
        Assert.Contains(Leftovers.MountsUnder(_d.Root), m => m.EndsWith(id + "/rootfs"));
    }
}
