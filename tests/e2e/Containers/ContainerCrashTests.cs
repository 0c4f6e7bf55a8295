using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// SIGKILL of the daemon at every step of run and rm, then a restart: half-made containers are rolled back, half-removed
/// ones finished, running ones keep running (under their monitors) and are found again, and nothing is orphaned.
/// </summary>
public sealed class ContainerCrashTests
{
    public static TheoryData<string> RunSteps => new()
    {
        "container-create:recorded", "container-create:leased", "container-create:rootfs", "container-create:network",
    };

    public static TheoryData<string> RemoveSteps => new() { "container-remove:marked", "container-remove:kernel-done" };

    [Theory]
    [MemberData(nameof(RunSteps))]
    public void Killed_during_run_then_restarted_leaves_no_half_made_container(string step)
    {
        using var d = new DaemonUnderTest("ccr").WithBusybox();
        d.CliOk("network", "create", "--subnet", "10.93.0.0/24", "lan");
        string survivor = d.RunDetached("--name", "survivor", "--network", "lan", "busybox", "sleep", "1000");
        var clean = ContainerTraces.Of(d);
        d.Restart(crashAt: step);

        var r = d.Cli("run", "-d", "--name", "victim", "--network", "lan", "busybox", "sleep", "1000");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));

        d.Start();
        ContainerTraces.AssertBackTo(d, clean);
        Assert.Equal("running", d.StateOf(survivor));
        // The name and the address are free again.
        d.RunDetached("--name", "victim", "--network", "lan", "busybox", "sleep", "1000");
    }

    [Fact]
    public void Killed_between_the_running_record_and_runc_start_the_restart_starts_the_process()
    {
        using var d = new DaemonUnderTest("ccs").WithBusybox();
        d.Restart(crashAt: "container-start:created");
        d.Cli("run", "-d", "--name", "half", "busybox", "sleep", "1000");
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));
        d.Start();
        // runc made the process but never let it run, while the record said running: the reconciler finishes the start,
        // so "running" means the command runs (an exec into a process that never started would fail).
        Assert.Equal("running", d.StateOf("half"));
        Assert.Equal("sleep\01000\0", d.CliOk("exec", "half", "cat", "/proc/1/cmdline"));
        string id = d.InspectContainer("half").GetProperty("Id").GetString()!;
        d.CliOk("rm", "-f", "half");
        d.Eventually(() => !ContainerTraces.Of(d).Any(t => t.Contains(id[..12]) || t.Contains("half")), "nothing of the container is left");
    }

    [Fact]
    public void Killed_between_runc_create_and_the_running_record_the_next_start_works_at_once()
    {
        using var d = new DaemonUnderTest("ccc").WithBusybox();
        d.Restart(crashAt: "container-start:runc-created");
        d.Cli("run", "-d", "--name", "half", "busybox", "sleep", "1000");
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));
        d.Start();
        // Never started: created, with no runc container or monitor left waiting for a start.
        Assert.Equal("created", d.StateOf("half"));
        Assert.DoesNotContain(ContainerTraces.Of(d), t => t.StartsWith("runc ", StringComparison.Ordinal) || t.StartsWith("conmon ", StringComparison.Ordinal));
        d.CliOk("start", "half");
        Assert.Equal("running", d.StateOf("half"));
        d.CliOk("rm", "-f", "half");
    }

    [Fact]
    public void A_never_started_container_whose_runc_state_exists_starts_at_once()
    {
        // What the crash above leaves if the reconciler could not remove it: a runc container of the id, "created".
        using var d = new DaemonUnderTest("cck").WithBusybox();
        d.Restart(crashAt: "container-start:runc-created");
        d.Cli("run", "-d", "--name", "half", "busybox", "sleep", "1000");
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));
        d.Start();
        string id = d.InspectContainer("half").GetProperty("Id").GetString()!;
        string runcRoot = Path.Combine(d.ExecRoot, "runc");
        // Its stdio on /dev/null: a created container keeps the creator's (FACTS.md), which would hold our pipes.
        Command.Run("bash", ["-c", "exec runc --root \"$0\" create --bundle \"$1\" \"$2\" </dev/null >/dev/null 2>&1",
            runcRoot, Path.Combine(d.DataRoot, "containers", id), id]);
        var r = d.Cli("start", "half");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("running", d.StateOf("half"));
        d.CliOk("rm", "-f", "half");
    }

    [Theory]
    [MemberData(nameof(RemoveSteps))]
    public void Killed_during_rm_then_restarted_finishes_the_removal(string step)
    {
        using var d = new DaemonUnderTest("ccm").WithBusybox();
        d.CliOk("network", "create", "--subnet", "10.94.0.0/24", "lan");
        var clean = ContainerTraces.Of(d);
        d.RunDetached("--name", "victim", "--network", "lan", "busybox", "sleep", "1000");
        d.Restart(crashAt: step);

        Assert.NotEqual(0, d.Cli("rm", "-f", "victim").ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));

        d.Start();
        ContainerTraces.AssertBackTo(d, clean);
    }

    [Fact]
    public void Running_containers_survive_a_daemon_kill_and_their_logs_and_exits_continue()
    {
        using var d = new DaemonUnderTest("ccl").WithBusybox();
        string id = d.RunDetached("--name", "ticker", "busybox", "sh", "-c",
            "echo before; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo after; exit 7");
        d.Eventually(() => d.Cli("logs", "ticker").Stdout == "before\n", "first line logged");
        var pid = d.InspectContainer("ticker").GetProperty("State").GetProperty("Pid").GetInt32();

        d.Kill();
        // While the daemon is down the container goes on, prints and exits; its monitor records all of it.
        Assert.True(Directory.Exists($"/proc/{pid}"), "the container's process outlives the daemon");
        File.WriteAllText($"/proc/{pid}/root/tmp/go", "");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline) Thread.Sleep(20);

        d.Start();
        d.Eventually(() => d.StateOf("ticker") == "exited", "the exit recorded while the daemon was down is found");
        Assert.Equal(7, d.InspectContainer("ticker").GetProperty("State").GetProperty("ExitCode").GetInt32());
        Assert.Equal("before\nafter\n", d.Cli("logs", "ticker").Stdout);
        d.CliOk("rm", id);
    }

    [Fact]
    public void A_running_container_is_found_again_after_a_restart_and_can_be_stopped()
    {
        using var d = new DaemonUnderTest("ccf").WithBusybox();
        d.RunDetached("--name", "keeper", "busybox", "sleep", "1000");
        string ip = d.IpOf("keeper");
        d.Kill();
        d.Start();
        Assert.Equal("running", d.StateOf("keeper"));
        Assert.Equal(ip, d.IpOf("keeper"));
        Assert.True(Firewall.BridgeLab.Ping(d.Netns, ip), "its network still works");
        d.CliOk("stop", "-t", "0", "keeper");
        Assert.Equal("exited", d.StateOf("keeper"));
        d.CliOk("rm", "keeper");
        d.Eventually(() => !ContainerTraces.Of(d).Any(t => t.StartsWith("veth") || t.StartsWith("mount") || t.StartsWith("runc") || t.StartsWith("cgroup")),
            "nothing of the container is left");
    }
}
