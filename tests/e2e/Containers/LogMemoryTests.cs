using MyDocker.E2ETests.Infrastructure;
using Xunit.Abstractions;

namespace MyDocker.E2ETests.Containers;

/// <summary>M1 of the security audit against the real daemon, conmon and both CLIs: a container's output, however
/// long its lines, streams through `logs` without the daemon holding it. The daemon's peak resident set (VmHWM) is
/// reported in the test output; only a generous bound is asserted.</summary>
public sealed class LogMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long Size = 300_000_000;
    private readonly DaemonUnderTest _d = new DaemonUnderTest("logm").WithBusybox();

    public void Dispose() => _d.Dispose();

    /// <summary>`PROGRAM ARGS | wc -c`: the output is counted by wc, never held by the test.</summary>
    private long CountBytes(string program, params string[] args)
    {
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(_d.Root, "docker-config") };
        var (code, stdout, stderr) = Command.TryRun("sh", ["-c", "\"$@\" | wc -c", "sh", program, .. args], env);
        Assert.True(code == 0, $"{program} {string.Join(' ', args)}: {stderr}");
        return long.Parse(stdout.Trim());
    }

    [Fact]
    public void M1_logs_of_one_300_MB_line_without_a_newline_stream_byte_for_byte_with_the_daemons_memory_bounded()
    {
        long atStart = _d.StatusKb("VmHWM");
        _d.RunDetached("--name", "big", "busybox", "sh", "-c", $"head -c {Size} /dev/zero | tr '\\0' a");
        Assert.Equal("0", _d.CliOk("wait", "big").Trim());
        long written = _d.StatusKb("VmHWM");

        // The container wrote no newline, so none is printed (as docker logs prints json-file's partial messages).
        Assert.Equal(Size, CountBytes(Artifacts.Cli, "-H", _d.HostArg, "logs", "big"));
        long afterLogs = _d.StatusKb("VmHWM");
        Assert.Equal(Size, CountBytes(Artifacts.DockerCli, "-H", _d.HostArg, "logs", "big"));
        // With timestamps: one, where the line begins, although the line travels in pieces.
        var stamps = Command.Run("sh", ["-c", "\"$@\" | tr -d a", "sh", Artifacts.Cli, "-H", _d.HostArg, "logs", "-t", "big"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z $", stamps);
        long atEnd = _d.StatusKb("VmHWM");

        output.WriteLine($"daemon VmHWM: {atStart / 1024} MB at start, {written / 1024} MB after the container wrote {Size / 1_000_000} MB, " +
                         $"{afterLogs / 1024} MB after `mydocker logs`, {atEnd / 1024} MB after `docker logs` and `logs -t`");
        // Holding the line would cost 300 MB of bytes plus 600 MB as a string.
        Assert.True(atEnd - atStart < 200 * 1024, $"the daemon's peak grew by {(atEnd - atStart) / 1024} MB");
    }
}
