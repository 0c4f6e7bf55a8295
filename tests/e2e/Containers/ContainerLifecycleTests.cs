using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>run, ps, logs, stop, start, restart, rm through the mydocker CLI against the real daemon, runc and conmon.</summary>
public sealed class ContainerLifecycleTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("ctl").WithBusybox();

    public void Dispose() => _d.Dispose();

    [Fact]
    public void Run_detached_then_ps_logs_stop_start_and_rm_leave_nothing_behind()
    {
        _d.CliOk("network", "create", "--subnet", "10.80.0.0/24", "front");
        var clean = ContainerTraces.Of(_d);

        string id = _d.RunDetached("--name", "web", "--network", "front", "busybox",
            "sh", "-c", "echo to-out; echo to-err >&2; exec sleep 1000");
        Assert.Matches("^[0-9a-f]{64}$", id);
        var row = Assert.Single(ContainerTraces.Ps(_d, all: false));
        Assert.Equal(("web", "running"), (row.Name, row.State));
        Assert.StartsWith("10.80.0.", row.Ip);
        var ps = _d.CliOk("ps");
        Assert.Contains("web", ps);
        Assert.Contains(row.Ip, ps);
        Assert.Contains("Up ", ps);

        // stdout and stderr stay apart: the CLI writes each to its own stream.
        _d.Eventually(() => _d.Cli("logs", "web").Stderr.Contains("to-err"), "stderr line logged");
        var logs = _d.Cli("logs", "web");
        Assert.Equal("to-out\n", logs.Stdout);
        Assert.Equal("to-err\n", logs.Stderr);
        var stamped = _d.Cli("logs", "-t", "web").Stdout.Trim();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z to-out$", stamped);

        // The container's netns: eth0 with its address and a default route via the gateway, lo up.
        var addr = _d.InContainerNetns(id, "ip", "-4", "-o", "addr", "show").Stdout;
        Assert.Matches($@"eth0\s+inet {row.Ip.Replace(".", "\\.")}/24", addr);
        Assert.Contains("default via 10.80.0.1 dev eth0", _d.InContainerNetns(id, "ip", "route").Stdout);

        // sleep as PID 1 ignores SIGTERM, so stop falls back to SIGKILL after the grace period.
        _d.CliOk("stop", "-t", "1", "web");
        Assert.Equal("exited", _d.StateOf("web"));
        Assert.Equal(137, _d.InspectContainer("web").GetProperty("State").GetProperty("ExitCode").GetInt32());
        Assert.Contains("Exited (137)", _d.CliOk("ps", "-a"));
        Assert.DoesNotContain("web", _d.CliOk("ps"));
        // A stopped container keeps its address.
        Assert.Equal(row.Ip, _d.IpOf("web"));

        _d.CliOk("start", "web");
        Assert.Equal("running", _d.StateOf("web"));
        _d.Eventually(() => _d.Cli("logs", "web").Stdout == "to-out\nto-out\n", "the second run's output is appended");
        _d.CliOk("restart", "-t", "0", "web");
        Assert.Equal("running", _d.StateOf("web"));

        var refused = _d.Cli("rm", "web");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is running", refused.Stderr);
        Assert.Contains("-f", refused.Stderr);

        _d.CliOk("rm", id[..12], "-f");
        ContainerTraces.AssertBackTo(_d, clean);
    }

    [Fact]
    public void Run_in_the_foreground_streams_the_output_and_exits_with_the_containers_code()
    {
        var r = _d.Cli("run", "--name", "fg", "busybox", "sh", "-c", "echo hello; echo oops >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("hello\n", r.Stdout);
        Assert.Contains("oops", r.Stderr);
        Assert.Equal("exited", _d.StateOf("fg"));
        // Without --network the container joined the default network, made on first use.
        Assert.Contains("bridge", _d.NetworkNames());
        Assert.StartsWith("172.", _d.IpOf("fg"));
    }

    [Fact]
    public void Run_with_rm_removes_the_container_when_it_exits()
    {
        _d.CliOk("network", "create", "--subnet", "10.81.0.0/24", "tmp");
        var clean = ContainerTraces.Of(_d);
        var r = _d.Cli("run", "--rm", "--network", "tmp", "busybox", "echo", "bye");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("bye\n", r.Stdout);
        ContainerTraces.AssertBackTo(_d, clean);
    }

    [Fact]
    public void A_memory_limit_is_enforced_by_the_kernel()
    {
        // dd allocates a 64 MiB buffer and fills it: over a 32 MiB limit the kernel's OOM killer ends it.
        var r = _d.Cli("run", "--name", "hog", "-m", "32m", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        Assert.Equal(137, r.ExitCode);
        var state = _d.InspectContainer("hog").GetProperty("State");
        Assert.Equal(137, state.GetProperty("ExitCode").GetInt32());
        Assert.True(state.GetProperty("OOMKilled").GetBoolean());
        Assert.Equal(33554432, _d.InspectContainer("hog").GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        // The same work fits without the limit.
        Assert.Equal(0, _d.Cli("run", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1").ExitCode);
    }

    [Fact]
    public void Environment_volumes_workdir_and_a_static_ip_reach_the_container()
    {
        _d.CliOk("network", "create", "--subnet", "10.82.0.0/24", "data");
        string host = Path.Combine(_d.Root, "share");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "note.txt"), "from the host");
        string rw = Path.Combine(_d.Root, "out");
        Directory.CreateDirectory(rw);

        var r = _d.Cli("run", "--network", "data", "--ip", "10.82.0.77", "-e", "GREETING=hi there", "-w", "/srv",
            "-v", host + ":/in:ro", "-v", rw + ":/out", "busybox", "sh", "-c",
            "echo $GREETING; pwd; cat /in/note.txt; echo; touch /in/x 2>/dev/null && echo writable; echo made > /out/made; ip -4 -o addr show eth0");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n');
        Assert.Equal("hi there", lines[0]);
        Assert.Equal("/srv", lines[1]);
        Assert.Equal("from the host", lines[2]);
        Assert.DoesNotContain("writable", r.Stdout);
        Assert.Contains("10.82.0.77/24", r.Stdout);
        Assert.Equal("made\n", File.ReadAllText(Path.Combine(rw, "made")));
        Assert.DoesNotContain("WARNING", r.Stderr);
    }

    [Fact]
    public void A_bind_of_the_engines_own_state_runs_with_a_warning_that_names_it()
    {
        // Audit L11: Docker allows it and so do we, but the API socket in a container is root on the host.
        var r = _d.Cli("run", "-v", _d.ExecRoot + ":/engine:ro", "busybox", "true");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"WARNING: volume '{_d.ExecRoot}:/engine:ro' gives the container {_d.ExecRoot} (the API socket", r.Stderr);
        var parent = _d.Cli("run", "-v", _d.Root + ":/all:ro", "busybox", "true");
        Assert.Contains("gives the container " + _d.DataRoot, parent.Stderr);
    }

    [Fact]
    public void Stop_with_a_negative_timeout_waits_for_the_container_instead_of_killing_it()
    {
        // sleep as PID 1 ignores SIGTERM: only a SIGKILL ends it, and -t -1 (Docker: no timeout) must never send one.
        _d.RunDetached("--name", "patient", "busybox", "sleep", "1000");
        var psi = new System.Diagnostics.ProcessStartInfo(Artifacts.Cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-H", _d.HostArg, "stop", "-t", "-1", "patient" }) psi.ArgumentList.Add(a);
        using var stop = System.Diagnostics.Process.Start(psi)!;
        try
        {
            // The engine read -1 as "kill now" before (the container was gone within milliseconds).
            Thread.Sleep(TimeSpan.FromSeconds(3));
            if (stop.HasExited) Assert.Fail($"stop -t -1 returned {stop.ExitCode}: {stop.StandardError.ReadToEnd()}");
            Assert.Equal("running", _d.StateOf("patient"));
            // Another client ends the container; the waiting stop then returns.
            _d.CliOk("kill", "patient");
            Assert.True(stop.WaitForExit(TimeSpan.FromSeconds(30)), "stop did not return after the container exited");
            Assert.True(stop.ExitCode == 0, stop.StandardError.ReadToEnd());
            Assert.Equal("exited", _d.StateOf("patient"));
        }
        finally { if (!stop.HasExited) stop.Kill(); }
    }
}
