using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// SIGKILL at every step of network create and remove (crash points armed through MYDOCKER_TEST_CRASH_AT), then a
/// restart: no half-made network, no orphan bridge, address, route or rule.
/// </summary>
public sealed class NetworkCrashTests
{
    public static TheoryData<string> CreateSteps => new()
    {
        "network-create:recorded", "network-create:bridge-created", "network-create:alias-set",
        "network-create:link-up", "network-create:firewall-added", "network-create:pool-opened",
    };

    public static TheoryData<string> RemoveSteps => new()
    {
        "network-remove:marked", "network-remove:firewall-removed", "network-remove:kernel-done",
    };

    [Theory]
    [MemberData(nameof(CreateSteps))]
    public void Killed_during_create_then_restarted_leaves_no_half_made_network(string step)
    {
        using var d = new DaemonUnderTest("crc");
        d.CliOk("network", "create", "--subnet", "10.50.0.0/24", "survivor");
        var clean = KernelSnapshot.Of(d.Netns).Describe();
        d.Restart(crashAt: step);

        var r = d.Cli("network", "create", "--subnet", "10.60.0.1/24", "victim");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));

        d.Start();
        Assert.Equal(["survivor"], d.NetworkNames());
        Assert.Equal(clean, KernelSnapshot.Of(d.Netns).Describe());
        // The name and subnet are free again.
        d.CliOk("network", "create", "--subnet", "10.60.0.1/24", "victim");
    }

    [Theory]
    [MemberData(nameof(RemoveSteps))]
    public void Killed_during_remove_then_restarted_finishes_the_removal(string step)
    {
        using var d = new DaemonUnderTest("crr");
        var clean = KernelSnapshot.Of(d.Netns).Describe();
        d.CliOk("network", "create", "--subnet", "10.70.0.0/24", "victim");
        d.Restart(crashAt: step);

        var r = d.Cli("network", "rm", "victim");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));

        d.Start();
        Assert.Empty(d.NetworkNames());
        var after = KernelSnapshot.Of(d.Netns);
        Assert.Empty(after.Bridges);
        Assert.DoesNotContain("md-", after.NftTable);
        Assert.DoesNotContain(after.Routes, x => x.Dst.StartsWith("10.70."));
    }

    [Fact]
    public async Task Killed_at_random_moments_during_create_and_remove_never_leaks()
    {
        using var d = new DaemonUnderTest("crx");
        var random = new Random(1234);
        for (int round = 0; round < 6; round++)
        {
            string name = $"n{round}";
            var work = Task.Run(() => { d.Cli("network", "create", "--subnet", $"10.80.{round}.0/24", name); d.Cli("network", "rm", name); });
            Thread.Sleep(random.Next(0, 40));
            d.Kill();
            await work.WaitAsync(TimeSpan.FromSeconds(30));
            d.Start();
            // Whatever survived is whole: each listed network has its bridge; no engine bridge lacks a network.
            var k = KernelSnapshot.Of(d.Netns);
            var listed = d.NetworkNames();
            var bridges = listed.Select(n => d.InspectNetwork(n).GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString()!).ToList();
            Assert.Equal(bridges.Order(), k.EngineLinks.Order());
            Assert.Equal(bridges.Order(), k.Bridges.Order());
            foreach (var n in listed) d.CliOk("network", "rm", n);
            d.Eventually(() => !KernelSnapshot.Of(d.Netns).Bridges.Any(), "every bridge deleted");
        }
    }
}
