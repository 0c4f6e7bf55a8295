using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// `rm` without root (<see cref="ContainerLab"/>): a teardown step that fails does not stop the others, the error names
/// each failed step with its kind, the record stays (Removing) for the reconciler, which finishes the removal once the
/// fault is gone; and a crash at each of the remove path's points is finished by the next daemon's reconcile.
/// </summary>
public sealed class ContainerTeardownTests
{
    /// <summary>db, a bystander that must keep everything.</summary>
    private const string OnlyDbLeft = """
        leases: 10.88.0.3
        mounts: 1
        netns: 1
        endpoints: 1
        --
        --
        db Created

        """;

    [Theory]
    [InlineData("runtime", "process and runtime state", "leases: 10.88.0.3\nmounts: 1\nnetns: 1\nendpoints: 1\n--\nweb running\n")]
    [InlineData("teardown endpoint", "endpoint", "leases: 10.88.0.3\nmounts: 1\nnetns: 1\nendpoints: 2\n--\n")]
    [InlineData("remove netns", "netns ", "leases: 10.88.0.3\nmounts: 1\nnetns: 2\nendpoints: 1\n--\n")]
    [InlineData("unmount rootfs", "rootfs mount ", "leases: 10.88.0.3\nmounts: 2\nnetns: 1\nendpoints: 1\n--\n")]
    [InlineData("release address", "address 10.88.0.2", "leases: 10.88.0.2 10.88.0.3\nmounts: 1\nnetns: 1\nendpoints: 1\n--\n")]
    public async Task Rm_with_one_failing_step_runs_every_other_step_and_reports_the_failure_with_its_kind(
        string failing, string stepName, string left)
    {
        await using var lab = new ContainerLab();
        var web = await lab.RunAsync("web");
        await lab.CreateAsync("db");
        if (failing == "runtime") lab.Runtime.Fail("DeleteAsync", web.Id);
        else lab.Resources.FailAt = failing;

        var e = await Assert.ThrowsAsync<TeardownException>(() => lab.Containers.RemoveAsync("web", force: true));

        var failure = Assert.Single(e.Failures);
        Assert.StartsWith(stepName, failure.Step);
        if (failing == "runtime") Assert.Equal(ErrorKind.Internal, Assert.IsType<EngineException>(failure.Error).Kind);
        else Assert.Equal(KernelException.EBUSY, Assert.IsType<KernelException>(failure.Error).Errno);
        Assert.StartsWith("removing container 'web' failed in 1 step(s): ", e.Message);
        // Every other step ran: only what the failed one should have removed is left of web, and its record says Removing.
        Assert.Equal(left + "--\ndb Created\nweb Removing\n", await lab.DumpAsync());

        // The fault is gone: the reconciler finishes the removal.
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal([$"container 'web' ({web.Id[..12]}) removal finished"], result.Report.Removed);
        Assert.Equal(OnlyDbLeft, await lab.DumpAsync());
    }

    [Theory]
    [InlineData("container-remove:marked")]
    [InlineData("container-remove:kernel-done")]
    public async Task A_crash_during_rm_is_finished_by_the_next_daemon(string point)
    {
        await using var lab = new ContainerLab();
        var web = await lab.RunAsync("web");
        await lab.CreateAsync("db");

        await lab.CrashDuringAsync(point, c => c.RemoveAsync("web", force: true));
        lab.Restart();
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal([$"container 'web' ({web.Id[..12]}) removal finished"], result.Report.Removed);
        Assert.Equal(OnlyDbLeft, await lab.DumpAsync());
    }
}
