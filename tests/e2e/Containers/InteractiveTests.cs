using System.Diagnostics;
using System.Text;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// `run -i` and `run -it` (the seed's `mydocker run -it -net testbr busybox sh`), through mydocker and the docker CLI.
/// A terminal comes from util-linux `script`, which runs the CLI on a pty of its own; the test types into it once the
/// container's prompt has come back, as a person would.
/// </summary>
public sealed class InteractiveTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("tty").WithBusybox();

    [Fact]
    public void Run_i_feeds_stdin_keeps_stdout_and_stderr_apart_and_exits_with_the_code()
    {
        var (code, stdout, stderr) = Command.TryRun(Artifacts.Cli, ["-H", _d.HostArg, "run", "-i", "--rm", "busybox", "sh"],
            stdin: "echo piped-$((2+2))\necho oops >&2\nexit 5\n");
        Assert.True(code == 5, $"exit {code}\n{stdout}\n{stderr}\n{_d.Logs}");
        Assert.Equal("piped-4\n", stdout);
        Assert.Equal("oops\n", stderr);
        Assert.Equal("", _d.CliOk("ps", "-aq"));
    }

    [Fact]
    public void Run_it_gives_a_terminal_of_the_clients_size_and_exits_with_the_code()
    {
        var session = Terminal(Artifacts.Cli, "--name", "shell", "--network", "lan");
        session.Expect("/ # ");
        session.Type("stty size\n");
        session.Expect("30 100");
        session.Type("echo hi-$((1+2)); ip -o -4 addr show eth0\n");
        session.Expect("hi-3");
        session.Expect("10.93.0.");
        session.Type("exit 3\n");
        Assert.Equal(3, session.Wait());
        // A terminal's output is in the log too, as with Docker.
        Assert.Contains("hi-3", _d.CliOk("logs", "shell"));
    }

    [Fact]
    public void The_docker_cli_runs_interactively_too()
    {
        var (code, stdout, _) = Command.TryRun(Artifacts.DockerCli, ["-H", _d.HostArg, "run", "-i", "--rm", "busybox", "sh"],
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(_d.Root, "docker-config") }, stdin: "echo piped\nexit 4\n");
        Assert.Equal((4, "piped\n"), (code, stdout));

        var session = Terminal(Artifacts.DockerCli, "--rm");
        session.Expect("/ # ");
        session.Type("stty size; echo hi-$((2*3))\n");
        session.Expect("30 100");
        session.Expect("hi-6");
        session.Type("exit 7\n");
        Assert.Equal(7, session.Wait());
    }

    [Fact]
    public void Run_it_without_a_terminal_is_refused_before_anything_is_made()
    {
        var (code, _, stderr) = Command.TryRun(Artifacts.Cli, ["-H", _d.HostArg, "run", "-it", "busybox", "sh"], stdin: "exit\n");
        Assert.Equal(1, code);
        Assert.Contains("not a TTY", stderr);
        Assert.Equal("", _d.CliOk("ps", "-aq"));
    }

    /// <summary>`CLI run -it [ARGS] busybox sh` on a 30×100 pty made by `script`.</summary>
    private TerminalSession Terminal(string cli, params string[] runArgs)
    {
        _d.CliOk("network", "create", "--subnet", "10.93.0.0/24", "lan");
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // script takes one command line; the CLI's path and arguments reach it through the environment, not the text.
        foreach (var a in new[] { "-qefc", "stty rows 30 cols 100; exec \"$CLI\" -H \"$HOST_ARG\" run -it $RUN_ARGS busybox sh", "/dev/null" })
            psi.ArgumentList.Add(a);
        psi.Environment["CLI"] = cli;
        psi.Environment["HOST_ARG"] = _d.HostArg;
        psi.Environment["RUN_ARGS"] = string.Join(' ', runArgs); // fixed words from the tests, no quoting needed
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(_d.Root, "docker-config");
        return new TerminalSession(Process.Start(psi)!, () => _d.Logs);
    }

    public void Dispose() => _d.Dispose();

    private sealed class TerminalSession
    {
        private readonly Process _p;
        private readonly Func<string> _logs;
        private readonly StringBuilder _seen = new();
        private int _from;

        public TerminalSession(Process p, Func<string> logs)
        {
            _p = p;
            _logs = logs;
            _ = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int n;
                while ((n = await _p.StandardOutput.ReadAsync(buffer)) > 0) lock (_seen) _seen.Append(buffer, 0, n);
            });
        }

        /// <summary>Waits for <paramref name="text"/> in what the terminal showed after the last match.</summary>
        public void Expect(string text)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                lock (_seen)
                {
                    int at = _seen.ToString().IndexOf(text, _from, StringComparison.Ordinal);
                    if (at >= 0) { _from = at + text.Length; return; }
                }
                Thread.Sleep(20);
            }
            lock (_seen) Assert.Fail($"the terminal never showed '{text}'; it showed:\n{_seen}\ndaemon log:\n{_logs()}");
        }

        public void Type(string text)
        {
            _p.StandardInput.Write(text);
            _p.StandardInput.Flush();
        }

        public int Wait()
        {
            if (!_p.WaitForExit(20_000)) { _p.Kill(true); Assert.Fail("the session did not end"); }
            _p.WaitForExit();
            return _p.ExitCode;
        }
    }
}
