using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.UnitTests.Containers;

namespace MyDocker.UnitTests.Reconcile;

/// <summary>
/// The reconciler's container steps against a runtime and resources that changed behind the engine's back (a crash, a
/// reboot, someone's umount): what it repairs and what it removes, as golden "kernel after" and "runtime after" text, and
/// a step's failure kept with its kind while the other steps and containers still run.
/// </summary>
public sealed class ContainerReconcileTests
{
    private const string OrphanId = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface";

    [Fact]
    public async Task Drift_is_repaired_and_orphans_removed_leaving_runtime_and_resources_as_the_records_say()
    {
        await using var lab = new ContainerLab();
        var web = await lab.RunAsync("web");
        var api = await lab.RunAsync("api");
        var job = await lab.RunAsync("job");
        await lab.CrashDuringAsync("container-create:rootfs", c => c.CreateAsync(new() { Name = "half", Image = "busybox" }));
        lab.Restart();
        // Someone unmounts web's rootfs; api's process and monitor vanish (a reboot); job exits while no daemon looks;
        // the runtime holds a container no record owns (an older daemon's crash).
        lab.Resources.Mounts.Remove(lab.Resources.Paths(web.Id).Rootfs);
        lab.Runtime.Vanish(api.Id);
        lab.Runtime.Exit(job.Id, 3);
        await lab.Runtime.CreateAsync(OrphanId, "/nowhere", "/nowhere.log", new StdioOptions(), CancellationToken.None);

        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal([
            "rootfs of container 'web' mounted again",
            "container 'api' was running but its process is gone; marked exited (255)",
            "exit of container 'job' handed to the exit loop",
        ], result.Report.Repaired);
        Assert.Equal(2, result.Report.Removed.Count);
        Assert.Matches(@"^half-made container 'half' \([0-9a-f]{12}\) rolled back$", result.Report.Removed[0]);
        Assert.Equal("orphan container process, monitor or cgroup feedfacefeed removed", result.Report.Removed[1]);
        // half's mount is gone, and its lease (10.88.0.5) too: the crash came before its record held the address, and the
        // rollback releases whatever the network leased to the container. job's exit waits in the runtime for the exit
        // loop, which records it.
        Assert.Equal("""
            leases: 10.88.0.2 10.88.0.3 10.88.0.4
            mounts: 3
            netns: 3
            endpoints: 3
            --
            job stopped exit 3
            web running
            --
            api Exited 255
            job Running
            web Running

            """, await lab.DumpAsync());
    }

    [Fact]
    public async Task A_stored_row_that_does_not_read_is_reported_by_name_and_the_run_stops_without_throwing()
    {
        await using var lab = new ContainerLab();
        await lab.RunAsync("web");
        await using (var db = lab.State.Create())
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(
                db.Database, "UPDATE Containers SET SpecJson = 'not json' WHERE Name = 'web'");
        lab.Restart();

        // The daemon's start-up reconcile must not throw (the daemon would not start); the row is named in the report.
        var result = await lab.ReconcileAsync();

        var failure = Assert.Single(result.Failures);
        Assert.Equal("reconcile step ContainerRecordsStep", failure.Step);
        Assert.StartsWith("container 'web' (", Assert.IsType<InvalidDataException>(failure.Error).Message);
        Assert.Empty(result.Report.Repaired);
    }

    [Fact]
    public async Task A_container_whose_repair_fails_keeps_its_error_kind_and_the_other_steps_still_run()
    {
        await using var lab = new ContainerLab();
        var web = await lab.RunAsync("web");
        var api = await lab.RunAsync("api");
        await lab.Runtime.CreateAsync(OrphanId, "/nowhere", "/nowhere.log", new StdioOptions(), CancellationToken.None);
        lab.Resources.Mounts.Remove(lab.Resources.Paths(web.Id).Rootfs);
        lab.Resources.FailAt = "rootfs";
        lab.Runtime.Vanish(api.Id);
        lab.Runtime.Fail("StateAsync", web.Id);

        var result = await lab.ReconcileAsync();

        Assert.Equal(["rootfs of container 'web'", "state of container 'web'"], result.Failures.Select(f => f.Step));
        Assert.IsType<InvalidOperationException>(result.Failures[0].Error);
        Assert.Equal(ErrorKind.Internal, Assert.IsType<EngineException>(result.Failures[1].Error).Kind);
        Assert.Equal(["rootfs of container 'web': injected failure at rootfs", $"state of container 'web': cannot StateAsync container {web.Id}: injected failure at StateAsync"],
            result.Report.Errors);
        // api was still repaired and the orphan still removed.
        Assert.Equal(["container 'api' was running but its process is gone; marked exited (255)"], result.Report.Repaired);
        Assert.Equal(["orphan container process, monitor or cgroup feedfacefeed removed"], result.Report.Removed);
        Assert.Equal("""
            leases: 10.88.0.2 10.88.0.3
            mounts: 1
            netns: 2
            endpoints: 2
            --
            web running
            --
            api Exited 255
            web Running

            """, await lab.DumpAsync());
    }
}
