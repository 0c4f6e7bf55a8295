using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// `network prune` racing a `run` on the network it removes: the address is leased either before the removal looks
/// for leases (the network stays) or not at all (the run fails), never in between, so no container is ever recorded
/// on a removed network — one whose `rm` would fail for ever on the closed address pool.
/// </summary>
public sealed class NetworkPruneRaceTests
{
    [Fact]
    public async Task Runs_and_prunes_interleaved_leave_every_container_and_network_removable()
    {
        using var d = new DaemonUnderTest("npr").WithBusybox();
        var clean = ContainerTraces.Of(d);
        for (int round = 0; round < 30; round++)
        {
            string net = $"race{round}";
            d.CliOk("network", "create", "--subnet", $"10.96.{round}.0/24", net);
            var run = Task.Run(() => d.Cli("run", "-d", "--network", net, "busybox", "sleep", "1000"));
            // Prunes starting at different moments of the run, to sweep the window between its steps.
            int delayMs = round % 10 * 3;
            var prune = Task.Run(async () =>
            {
                await Task.Delay(delayMs);
                return d.Cli("network", "prune", "-f");
            });
            var (ran, pruned) = (await run, await prune);
            Assert.True(pruned.ExitCode == 0, pruned.Stderr);
            if (ran.ExitCode != 0) Assert.Contains(net, ran.Stderr); // refused by name, nothing half-made
        }
        foreach (var c in ContainerTraces.Ps(d))
        {
            var rm = d.Cli("rm", "-f", c.Id);
            Assert.True(rm.ExitCode == 0, $"rm -f {c.Name}: {rm.Stderr}");
        }
        d.CliOk("network", "prune", "-f");
        ContainerTraces.AssertBackTo(d, clean);
    }
}
