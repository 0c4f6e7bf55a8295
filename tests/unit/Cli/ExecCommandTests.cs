using System.Text.Json;
using MyDocker.Cli;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

/// <summary><c>exec</c>'s command line → the exec create request, without a daemon.</summary>
public class ExecCommandTests
{
    private static ExecCreateRequest Request(params string[] args) =>
        ExecCommand.BuildRequest(ArgParser.Parse(args, [.. ExecCommand.Spec.Flags, .. CliApp.GlobalFlags], interspersed: false),
            name => name == "HOME" ? "/root" : null);

    [Fact]
    public void Every_flag_reaches_the_request_and_the_command_keeps_its_own_flags()
    {
        Assert.Equal(
            """{"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":false,"Cmd":["sh","-c","ls -l"],"Env":["A=1","HOME=/root"],"WorkingDir":"/tmp","User":"1000","Privileged":false}""",
            JsonSerializer.Serialize(Request("-i", "-e", "A=1", "-e", "HOME", "-w", "/tmp", "-u", "1000", "web", "sh", "-c", "ls -l"), ApiJsonContext.Default.ExecCreateRequest));
    }

    [Fact]
    public void Detached_attaches_nothing_and_a_terminal_is_refused_by_name()
    {
        var detached = Request("-d", "-i", "web", "true");
        Assert.Equal((false, false, false), (detached.AttachStdin, detached.AttachStdout, detached.AttachStderr));
        Assert.Contains("-t", Assert.Throws<UsageException>(() => Request("-t", "web", "sh")).Message);
    }

    [Fact]
    public async Task A_refused_start_shows_the_daemons_message_without_waiting_for_the_connection_to_close()
    {
        using var daemon = new FakeDaemon()
            .Answer(201, "Created", """{"Id":"e1"}""")
            .AnswerKeptAlive(400, "Bad Request", """{"message":"/etc/passwd of container \u0027web\u0027 is a FIFO, not a regular file"}""");
        var run = CliRunner.RunAsync(daemon.Host, "exec", "-u", "app", "web", "id");
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, "the CLI waited for the daemon to close the connection");
        var r = await run;
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/etc/passwd of container 'web' is a FIFO, not a regular file", r.Err);
    }
}
