using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// `start` without root (<see cref="ContainerLab"/>): a runtime that fails after each crash point of the start path
/// leaves the container stopped with the reason recorded and nothing of the runtime behind; a crash at each point is
/// repaired by the next daemon's reconcile (never "Up" for a process that never ran). The container's resources stay:
/// they belong to the container, not to its run.
/// </summary>
public sealed class ContainerStartRollbackTests
{
    private const string Resources = "leases: 10.88.0.2\nmounts: 1\nnetns: 1\nendpoints: 1\n--\n";

    [Fact]
    public async Task A_runtime_create_that_fails_leaves_the_container_created_with_the_reason()
    {
        await using var lab = new ContainerLab();
        var web = await lab.CreateAsync("web");
        lab.Runtime.Fail("CreateAsync");

        var e = await Assert.ThrowsAsync<ContainerStartException>(() => lab.Containers.StartAsync("web"));

        Assert.Equal("injected failure at CreateAsync", e.Reason);
        Assert.Equal(Resources + "--\nweb Created 127\n", await lab.DumpAsync());
        Assert.Equal("injected failure at CreateAsync", (await lab.Containers.GetAsync(web.Id)).Container.Error);
    }

    [Fact]
    public async Task A_runtime_start_that_fails_after_the_last_crash_point_takes_the_process_down_again()
    {
        await using var lab = new ContainerLab();
        await lab.CreateAsync("web");
        lab.Runtime.Fail("StartAsync");

        var e = await Assert.ThrowsAsync<EngineException>(() => lab.Containers.StartAsync("web"));

        Assert.Equal(ErrorKind.Internal, e.Kind);
        Assert.Equal(Resources + "--\nweb Exited 125\n", await lab.DumpAsync());
        // Nothing of the failed run is in the way of the next.
        await lab.Containers.StartAsync("web");
        Assert.Equal(Resources + "web running\n--\nweb Running\n", await lab.DumpAsync());
    }

    [Fact]
    public async Task A_crash_after_runc_create_leaves_a_created_container_whose_runtime_state_the_reconciler_removes()
    {
        await using var lab = new ContainerLab();
        var web = await lab.CreateAsync("web");

        await lab.CrashDuringAsync("container-start:runc-created", c => c.StartAsync("web"));
        lab.Restart();
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(["container 'web': its process was made but never started (the daemon stopped first); removed it, the container stays created"],
            result.Report.Removed);
        // The monitor recorded the killed init's exit; it is not this container's (it never ran) and the next start clears it.
        Assert.Equal(Resources + "web - exit 137\n--\nweb Created\n", await lab.DumpAsync());
        await lab.Containers.StartAsync(web.Id);
        Assert.Equal(Resources + "web running\n--\nweb Running\n", await lab.DumpAsync());
    }

    [Fact]
    public async Task A_crash_after_the_running_record_is_finished_by_the_reconciler_starting_the_process()
    {
        await using var lab = new ContainerLab();
        await lab.CreateAsync("web");

        await lab.CrashDuringAsync("container-start:created", c => c.StartAsync("web"));
        Assert.Equal(Resources + "web created\n--\nweb Running\n", await lab.DumpAsync());
        lab.Restart();
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal(["container 'web' was recorded running but its process had never started (the daemon stopped first); started it"],
            result.Report.Repaired);
        Assert.Equal(Resources + "web running\n--\nweb Running\n", await lab.DumpAsync());
    }
}
