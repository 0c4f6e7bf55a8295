using MyDocker.Cli.Parsing;
using MyDocker.Cli.Streams;
using MyDocker.Shared.Api;

namespace MyDocker.Cli.Commands;

/// <summary>
/// <c>mydocker exec [-i] [-d] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]</c>: runs a command in a running
/// container and exits with its code (126/127 as the docker CLI for a command that cannot run or is not there).
/// </summary>
public static class ExecCommand
{
    public static readonly CommandSpec Spec = new()
    {
        Name = "exec",
        Summary = "Execute a command in a running container",
        ArgsUsage = "CONTAINER COMMAND [ARG...]",
        Flags =
        [
            FlagSpec.Bool("interactive", 'i', "Keep STDIN open and send it to the command"),
            FlagSpec.Bool("tty", 't', "Allocate a pseudo-TTY (not supported yet)"),
            FlagSpec.Bool("detach", 'd', "Run the command in the background"),
            FlagSpec.List("env", 'e', "list", "Set an environment variable KEY=VALUE (repeatable)"),
            FlagSpec.Value("workdir", 'w', "string", "Working directory inside the container"),
            FlagSpec.Value("user", 'u', "string", "Username or UID[:GID]"),
        ],
        MinArgs = 2,
        Interspersed = false, // everything after CONTAINER is the command, flags included
        FailureExitCode = RunCommand.ExitEngineError,
        Run = RunAsync,
    };

    /// <summary>The exec create body for parsed arguments.</summary>
    public static ExecCreateRequest BuildRequest(ParsedArgs args, Func<string, string?> env)
    {
        if (args.Bool("tty"))
            throw new UsageException("exec with a terminal (-t) is not supported yet; leave out -t (-i alone passes stdin)");
        var envList = new List<string>();
        foreach (var e in args.Values("env"))
            if (RunOptionParsers.ParseEnv(e, env) is { } entry) envList.Add(entry);
        bool detach = args.Bool("detach");
        return new ExecCreateRequest
        {
            AttachStdin = args.Bool("interactive") && !detach,
            AttachStdout = !detach,
            AttachStderr = !detach,
            Cmd = [.. args.Positionals.Skip(1)],
            Env = envList.Count > 0 ? envList : null,
            WorkingDir = args.Value("workdir"),
            User = args.Value("user"),
        };
    }

    private static async Task<int> RunAsync(CommandContext context, ParsedArgs args)
    {
        var request = BuildRequest(args, context.Env);
        var daemon = context.Daemon;
        string container = args.Positionals[0];
        string execId = await daemon.CreateExecAsync(container, request, context.Cancel).ConfigureAwait(false);
        if (args.Bool("detach"))
        {
            await daemon.StartExecDetachedAsync(execId, context.Cancel).ConfigureAwait(false);
            return CliApp.ExitOk;
        }
        using var attach = await daemon.StartExecAsync(execId, context.Cancel).ConfigureAwait(false);
        if (request.AttachStdin) _ = RunCommand.PumpStdinAsync(attach);
        else attach.CloseInput();
        try
        {
            await MultiplexedStreamReader.CopyAsync(attach.Stream, context.Out, context.Err, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException) { } // the daemon closed the connection: the inspect says how the command ended
        var result = await daemon.InspectExecAsync(execId, CancellationToken.None).ConfigureAwait(false);
        return result.ExitCode ?? RunCommand.ExitEngineError;
    }
}
