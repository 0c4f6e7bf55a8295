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
}
