using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>`exec` in a running container, through mydocker and the docker CLI (no terminal yet).</summary>
public sealed class ExecTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("exec").WithBusybox();

    public ExecTests() => _d.RunDetached("--name", "web", "busybox", "sleep", "1000");

    private (int Code, string Out, string Err) Mydocker(string? stdin, params string[] args) =>
        Command.TryRun(Artifacts.Cli, ["-H", _d.HostArg, .. args], stdin: stdin);

    private (int Code, string Out, string Err) Docker(string? stdin, params string[] args) =>
        Command.TryRun(Artifacts.DockerCli, ["-H", _d.HostArg, .. args],
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(_d.Root, "docker-config") }, stdin);

    [Theory]
    [InlineData("mydocker")]
    [InlineData("docker")]
    public void Exec_runs_in_the_container_with_its_streams_stdin_env_workdir_and_exit_code(string cli)
    {
        var run = cli == "mydocker" ? (Func<string?, string[], (int, string, string)>)((s, a) => Mydocker(s, a)) : (s, a) => Docker(s, a);
        Assert.Equal((6, "out\n", "err\n"), run(null, ["exec", "web", "sh", "-c", "echo out; echo err >&2; exit 6"]));
        // The same network namespace as the container's process.
        var (code, stdout, _) = run(null, ["exec", "web", "ip", "-o", "-4", "addr", "show", "eth0"]);
        Assert.Equal(0, code);
        Assert.Contains(_d.IpOf("web"), stdout);
        Assert.Equal((0, "in-7 x=9 /tmp\n", ""), run("echo in-$((3+4))\n", ["exec", "-i", "-e", "X=9", "-w", "/tmp", "web", "sh", "-c", "read l; echo $(eval \"$l\") x=$X $(pwd)"]));
        Assert.Equal(127, run(null, ["exec", "web", "no-such-command"]).Item1);
        Assert.Equal((0, "65534\n", ""), run(null, ["exec", "-u", "nobody", "web", "id", "-u"]));
    }

    [Fact]
    public void Exec_detached_runs_in_the_background()
    {
        var started = DateTime.UtcNow;
        var (code, stdout, _) = Mydocker(null, "exec", "-d", "web", "sh", "-c", "sleep 3; echo done > /tmp/flag");
        Assert.Equal((0, ""), (code, stdout));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "exec -d waited for the command");
        _d.Eventually(() => Mydocker(null, "exec", "web", "cat", "/tmp/flag").Out == "done\n", "the detached exec wrote its file");
    }

    [Fact]
    public void Exec_is_refused_for_a_stopped_container_a_terminal_and_a_missing_command()
    {
        var tty = Mydocker(null, "exec", "-t", "web", "sh");
        Assert.Equal(125, tty.Code);
        Assert.Contains("not supported yet", tty.Err);
        Assert.Contains("requires at least 2", Mydocker(null, "exec", "web").Err);
        _d.CliOk("stop", "-t", "0", "web");
        var stopped = Mydocker(null, "exec", "web", "true");
        Assert.NotEqual(0, stopped.Code);
        Assert.Contains("is not running", stopped.Err);
        Assert.Contains("is not running", Docker(null, "exec", "web", "true").Err);
    }

    public void Dispose() => _d.Dispose();
}
