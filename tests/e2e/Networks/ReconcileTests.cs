using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>Drift repaired both ways, on demand and at start-up.</summary>
public sealed class ReconcileTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("rec");

    public void Dispose() => _d.Dispose();

    [Fact]
    public void Reconcile_recreates_what_a_record_needs_and_removes_what_no_record_owns()
    {
        _d.CliOk("network", "create", "--subnet", "10.90.0.0/24", "web");
        var expected = KernelSnapshot.Of(_d.Netns).Describe();
        string bridge = _d.InspectNetwork("web").GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString()!;

        // Drift: our bridge deleted, our rules flushed, and an engine-marked bridge no record owns.
        _d.Netns.Exec("ip", "link", "del", bridge);
        _d.Netns.Exec("nft", "flush", "ruleset");
        _d.Netns.Exec("ip", "link", "add", "md-orphan0", "type", "bridge");
        _d.Netns.Exec("ip", "link", "set", "md-orphan0", "alias", "mydocker:net:" + new string('e', 64));
        // A foreign bridge without our mark is never touched.
        _d.Netns.Exec("ip", "link", "add", "mdt-foreign", "type", "bridge");

        string report = _d.CliOk("system", "reconcile");
        Assert.Contains(bridge, report);
        Assert.Contains("md-orphan0", report);

        var k = KernelSnapshot.Of(_d.Netns);
        Assert.Contains(k.Links, l => l.Name == "mdt-foreign");
        _d.Netns.Exec("ip", "link", "del", "mdt-foreign");
        Assert.Equal(expected, KernelSnapshot.Of(_d.Netns).Describe());
    }

    [Fact]
    public void Start_up_repairs_drift_made_while_the_daemon_was_down()
    {
        _d.CliOk("network", "create", "--subnet", "10.91.0.0/24", "web");
        var expected = KernelSnapshot.Of(_d.Netns).Describe();
        string bridge = _d.InspectNetwork("web").GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString()!;
        _d.Kill();
        _d.Netns.Exec("ip", "addr", "flush", "dev", bridge);
        _d.Netns.Exec("nft", "delete", "table", "ip", "mydocker");
        _d.Start();
        Assert.Equal(expected, KernelSnapshot.Of(_d.Netns).Describe());
    }
}
