using MyDocker.Engine;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.E2ETests.Runtime;

/// <summary>Containers under real runc and conmon, joined to a throw-away netns, with a cgroup parent of their own.</summary>
public sealed class ContainerRuntimeTests : IDisposable
{
    private const int SIGTERM = 15, SIGKILL = 9;
    private readonly RuntimeFixture _f = new();
    private ContainerRuntime Runtime => _f.Runtime;
    private static string NewId() => Guid.NewGuid().ToString("N");

    private async Task<List<LogLine>> Logs(string id, LogReadOptions? options = null, Func<bool>? running = null)
    {
        var list = new List<LogLine>();
        await foreach (var e in new ContainerLogReader(_f.LogPath(id), id).ReadAsync(options ?? new(), running ?? (() => false), CancellationToken.None))
            list.Add(e);
        return list;
    }

    [Fact]
    public async Task Stdout_and_stderr_are_kept_apart_with_timestamps_and_the_exit_code_is_recorded_without_a_watcher()
    {
        var id = NewId();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _f.RunAsync(id, ["sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3"]);
        var exit = await _f.WaitForExitAsync(id);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.OomKilled);

        var logs = await Logs(id);
        Assert.Equal(["out1", "out2"], logs.Where(e => e.Stream == LogStream.Stdout).Select(e => e.Text));
        Assert.Equal(["err1"], logs.Where(e => e.Stream == LogStream.Stderr).Select(e => e.Text));
        Assert.All(logs, e => Assert.True(e.Time >= before && e.Time <= exit.FinishedAt.AddSeconds(1)));

        // A watcher started afterwards (the daemon was down) finds the record by rescanning.
        using var watcher = new ExitWatcher(_f.Options);
        Assert.Contains(id, watcher.Rescan());
        Assert.True(watcher.Exits.TryRead(out var reported));
        Assert.Equal(id, reported);

        Assert.Equal("stopped", (await Runtime.StateAsync(id, default))!.Status);
        await Runtime.DeleteAsync(id, default);
        Runtime.ClearExit(id);
        Assert.Null(Runtime.ReadExit(id));
    }

    [Fact]
    public async Task The_exit_watcher_reports_an_exit_as_it_happens()
    {
        using var watcher = new ExitWatcher(_f.Options);
        var id = NewId();
        await _f.RunAsync(id, ["sh", "-c", "sleep 0.2; exit 7"]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Assert.Equal(id, await watcher.Exits.ReadAsync(cts.Token));
        Assert.Equal(7, Runtime.ReadExit(id)!.ExitCode);
    }

    [Fact]
    public async Task A_memory_limit_is_enforced_by_the_oom_killer()
    {
        var id = NewId();
        await _f.RunAsync(id, ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], memory: 32 * 1024 * 1024);
        var exit = await _f.WaitForExitAsync(id);
        Assert.Equal(137, exit.ExitCode);
        Assert.True(exit.OomKilled);
    }

    [Fact]
    public async Task A_missing_command_fails_with_127_and_leaves_nothing()
    {
        var id = NewId();
        var bundle = _f.MakeBundle(id, ["nonexistentcmd"]);
        var e = await Assert.ThrowsAsync<ContainerStartException>(() => Runtime.CreateAsync(id, bundle, _f.LogPath(id), new StdioOptions(), default));
        Assert.Equal(127, e.ExitCode);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("nonexistentcmd", e.Message);
        Assert.DoesNotContain("level=", e.Message);

        Assert.Null(await Runtime.StateAsync(id, default));
        Assert.Empty(await Runtime.ListAsync(default));
        Assert.Empty(CgroupDirs.Existing(Runtime.CgroupPath(id)));
        Assert.Null(Runtime.MonitorPid(id));
        Assert.Null(Runtime.ReadExit(id));
        Assert.False(Directory.Exists(Path.Combine(_f.Options.MonitorDir, id)));
    }

    [Fact]
    public async Task Stop_sends_sigterm_then_sigkill_and_delete_leaves_no_cgroup()
    {
        var id = NewId();
        var pid = await _f.RunAsync(id, ["sleep", "1000"]);
        var state = await Runtime.StateAsync(id, default);
        Assert.Equal("running", state!.Status);
        Assert.Equal(pid, state.Pid);
        // The container's network namespace is the one it was given.
        Assert.Equal(Inode(_f.Netns.Path), Inode($"/proc/{pid}/ns/net"));
        Assert.NotEmpty(CgroupDirs.Existing(Runtime.CgroupPath(id)));

        // sleep as pid 1 has no handler for SIGTERM, so the kernel ignores it (pid 1 gets no default actions).
        await Runtime.KillAsync(id, SIGTERM, default);
        await Task.Delay(300);
        Assert.Null(Runtime.ReadExit(id));
        await Runtime.KillAsync(id, SIGKILL, default);
        Assert.Equal(137, (await _f.WaitForExitAsync(id)).ExitCode);
        await Runtime.KillAsync(id, SIGKILL, default); // already stopped: no error

        await Runtime.DeleteAsync(id, default);
        await Runtime.DeleteAsync(id, default); // idempotent
        Assert.Null(await Runtime.StateAsync(id, default));
        Assert.Empty(CgroupDirs.Existing(Runtime.CgroupPath(id)));
        Assert.Null(Runtime.MonitorPid(id));
    }

    [Fact]
    public async Task Following_the_log_sees_lines_as_they_come_and_ends_when_the_container_exits()
    {
        var id = NewId();
        await _f.RunAsync(id, ["sh", "-c", "echo a; sleep 0.5; echo b >&2; sleep 0.5; echo c"]);
        var logs = await Logs(id, new LogReadOptions(Follow: true), () => Runtime.ReadExit(id) is null);
        Assert.Equal(["a", "b", "c"], logs.Select(e => e.Text));
        Assert.Equal(LogStream.Stderr, logs[1].Stream);
        Assert.NotNull(Runtime.ReadExit(id));
    }

    [Fact]
    public async Task A_container_outlives_its_runtime_object_and_is_found_again()
    {
        var id = NewId();
        var pid = await _f.RunAsync(id, ["sleep", "1000"]);
        var monitor = Runtime.MonitorPid(id);
        Assert.NotNull(monitor);

        _f.Restart();
        var state = await Runtime.StateAsync(id, default);
        Assert.Equal("running", state!.Status);
        Assert.Equal(pid, state.Pid);
        Assert.Equal(monitor, Runtime.MonitorPid(id));
        Assert.Contains(id, await Runtime.ListAsync(default));

        // The reconciler's sweep keeps what is live and removes what is not.
        var orphan = NewId();
        await _f.RunAsync(orphan, ["sleep", "1000"]);
        Assert.Equal([orphan], await Runtime.RemoveOrphansAsync(new HashSet<string> { id }.Contains, default));
        Assert.Equal([id], await Runtime.ListAsync(default));
        Assert.Empty(CgroupDirs.Existing(Runtime.CgroupPath(orphan)));
        Assert.Null(Runtime.MonitorPid(orphan));
    }

    /// <summary>A namespace's identity: the inode of its file (stat follows /proc/PID/ns/net's magic link).</summary>
    private static string Inode(string path) => Infrastructure.Command.Run("stat", ["-L", "-c", "%i", path]).Trim();

    public void Dispose() => _f.Dispose();
}
