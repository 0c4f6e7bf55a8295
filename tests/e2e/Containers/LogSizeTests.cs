using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>M7's log size cap: the daemon's MyDocker:LogSizeMax and `--log-opt max-size` reach conmon as --log-size-max.</summary>
public sealed class LogSizeTests : IDisposable
{
    private readonly DaemonUnderTest _d;

    public LogSizeTests()
    {
        _d = new DaemonUnderTest("logz", start: false).WithBusybox();
        _d.ExtraEnv["MYDOCKER_MyDocker__LogSizeMax"] = "20k";
        _d.Start();
    }

    public void Dispose() => _d.Dispose();

    private static string Lines(int count, double pause = 0) =>
        $"i=0; while [ $i -lt {count} ]; do echo line $i; i=$((i+1)); {(pause > 0 ? $"sleep {pause};" : "")} done";

    [Fact]
    public void M7_the_daemons_log_size_max_keeps_a_chatty_containers_log_small()
    {
        _d.RunDetached("--name", "chatty", "busybox", "sh", "-c", Lines(5000));
        Assert.Equal("0", _d.CliOk("wait", "chatty").Trim());
        var inspect = _d.InspectContainer("chatty");
        Assert.Equal("20k", inspect.GetProperty("HostConfig").GetProperty("LogConfig").GetProperty("Config").GetProperty("max-size").GetString());
        Assert.InRange(new FileInfo(inspect.GetProperty("LogPath").GetString()!).Length, 1, 20_000);

        // What is kept is the latest output, whole lines in order.
        var lines = _d.CliOk("logs", "chatty").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int first = int.Parse(lines[0]["line ".Length..]);
        Assert.True(first > 0, "older output was dropped");
        Assert.Equal(Enumerable.Range(first, 5000 - first).Select(i => $"line {i}"), lines);
    }

    [Fact]
    public void M7_logs_follow_goes_on_across_the_files_conmon_starts_at_max_size()
    {
        // --log-opt beats the daemon's default. A record is ~45 bytes: 10k holds ~220 lines, so 600 start the log afresh twice.
        _d.RunDetached("--name", "slow", "--log-opt", "max-size=10k", "busybox", "sh", "-c", Lines(600, 0.01));
        var followed = _d.CliOk("logs", "-f", "slow");
        Assert.Equal(string.Concat(Enumerable.Range(0, 600).Select(i => $"line {i}\n")), followed);
        Assert.Equal("10k", _d.InspectContainer("slow").GetProperty("HostConfig").GetProperty("LogConfig").GetProperty("Config").GetProperty("max-size").GetString());
    }

    [Fact]
    public void M7_restarts_do_not_grow_a_log_past_its_limit()
    {
        // 150 lines of ≤ 54 bytes: under the 10 kB limit in one run, over it after two. conmon 2.1.6 counts from 0 at each
        // start, so without the daemon's check the third run would leave three runs' output (~23 kB) in the file.
        _d.CliOk("create", "--name", "again", "--log-opt", "max-size=10k", "busybox", "sh", "-c", Lines(150));
        var log = _d.InspectContainer("again").GetProperty("LogPath").GetString()!;
        long[] sizes = new long[3];
        for (int run = 0; run < 3; run++)
        {
            _d.CliOk("start", "again");
            Assert.Equal("0", _d.CliOk("wait", "again").Trim());
            sizes[run] = new FileInfo(log).Length;
        }
        Assert.True(sizes[2] <= 10_000, $"log sizes after each run: {string.Join(", ", sizes)} bytes");
        Assert.EndsWith(string.Concat(Enumerable.Range(0, 150).Select(i => $"line {i}\n")), _d.CliOk("logs", "again"));
    }

    [Fact]
    public void M7_log_options_that_are_not_implemented_are_refused_by_name_and_nothing_is_created()
    {
        var r = _d.Cli("run", "--log-opt", "max-file=3", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--log-opt max-file=3 is not supported", r.Stderr);
        r = _d.Cli("create", "--log-driver", "syslog", "busybox", "true");
        Assert.Contains("log driver 'syslog' is not supported", r.Stderr);
        r = _d.Cli("run", "-d", "--log-opt", "max-size=1k", "busybox", "true");
        Assert.Contains("max-size=1k is below 8192 bytes", r.Stderr);
        var docker = _d.Docker("run", "--log-opt", "compress=true", "busybox", "true");
        Assert.NotEqual(0, docker.ExitCode);
        Assert.Contains("--log-opt compress is not supported", docker.Stderr);
        Assert.Equal("", _d.CliOk("ps", "-aq").Trim());
    }

    [Fact]
    public void M7_a_bad_daemon_log_size_max_stops_the_daemon_with_the_setting_named()
    {
        using var bad = new DaemonUnderTest("logb", start: false);
        bad.ExtraEnv["MYDOCKER_MyDocker__LogSizeMax"] = "lots";
        bad.Start(waitReady: false);
        Assert.Equal(2, bad.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains("MyDocker:LogSizeMax=lots is not a size", bad.Logs);
    }
}
