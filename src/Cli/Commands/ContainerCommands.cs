using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.Cli.Commands;

/// <summary>
/// <c>ps</c>, <c>logs</c>, <c>start</c>, <c>stop</c>, <c>restart</c>, <c>kill</c>, <c>rm</c>, <c>inspect</c>, <c>wait</c>, also
/// reachable as <c>mydocker container VERB</c>. Commands taking several containers act on each, print the name or id
/// given for each success like the docker CLI, report each failure and exit 1 at the end if any failed.
/// </summary>
public static class ContainerCommands
{
    private static readonly FlagSpec[] PsFlags =
    [
        FlagSpec.Bool("all", 'a', "Show all containers (default shows just running)"),
        FlagSpec.Bool("quiet", 'q', "Only display container IDs"),
        FlagSpec.Bool("no-trunc", '\0', "Do not truncate the output"),
        FlagSpec.Value("format", '\0', "string", "Output format: table or json", "table"),
        FlagSpec.List("filter", 'f', "filter", "Filter output, e.g. name=web, status=exited, network=testbr"),
    ];

    private static readonly FlagSpec[] LogsFlags =
    [
        FlagSpec.Bool("follow", 'f', "Follow log output"),
        FlagSpec.Value("tail", 'n', "string", "Number of lines to show from the end of the logs", "\"all\""),
        FlagSpec.Bool("timestamps", 't', "Show timestamps"),
    ];

    private static readonly FlagSpec[] StopFlags =
    [
        new() { Name = "time", Short = 't', LongAliases = ["timeout"], ValueName = "int", Help = "Seconds to wait before killing the container" },
    ];

    public static readonly CommandSpec Ps = new()
    {
        Name = "ps",
        Summary = "List containers",
        Flags = PsFlags,
        MaxArgs = 0,
        Run = PsAsync,
    };

    public static readonly CommandSpec Logs = new()
    {
        Name = "logs",
        Summary = "Fetch the logs of a container",
        ArgsUsage = "CONTAINER",
        Flags = LogsFlags,
        MinArgs = 1,
        MaxArgs = 1,
        Run = LogsAsync,
    };

    public static readonly CommandSpec Start = Many("start", "Start one or more stopped containers", [],
        static (d, c, _, ct) => d.StartContainerAsync(c, ct));

    public static readonly CommandSpec Stop = Many("stop", "Stop one or more running containers", StopFlags,
        static (d, c, args, ct) => d.StopContainerAsync(c, Seconds(args), ct));

    public static readonly CommandSpec Restart = Many("restart", "Restart one or more containers", StopFlags,
        static (d, c, args, ct) => d.RestartContainerAsync(c, Seconds(args), ct));

    public static readonly CommandSpec Kill = Many("kill", "Kill one or more running containers",
        [FlagSpec.Value("signal", 's', "string", "Signal to send to the container", "\"KILL\"")],
        static (d, c, args, ct) => d.KillContainerAsync(c, args.Value("signal"), ct));

    public static readonly CommandSpec Remove = Many("rm", "Remove one or more containers",
        [FlagSpec.Bool("force", 'f', "Force the removal of a running container (uses SIGKILL)")],
        static (d, c, args, ct) => d.RemoveContainerAsync(c, args.Bool("force"), ct), aliases: ["remove"]);

    public static readonly CommandSpec Inspect = new()
    {
        Name = "inspect",
        Summary = "Display detailed information on one or more containers",
        ArgsUsage = "CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Run = InspectAsync,
    };

    public static readonly CommandSpec Wait = new()
    {
        Name = "wait",
        Summary = "Block until one or more containers stop, then print their exit codes",
        ArgsUsage = "CONTAINER [CONTAINER...]",
        MinArgs = 1,
        Run = WaitAsync,
    };

    /// <summary><c>mydocker container ls</c>: <c>ps</c> under Docker's management-command name.</summary>
    private static readonly CommandSpec List = new()
    {
        Name = "ls",
        Aliases = ["list", "ps"],
        Summary = Ps.Summary,
        Flags = PsFlags,
        MaxArgs = 0,
        Run = PsAsync,
    };

    public static readonly CommandGroup Group = new()
    {
        Name = "container",
        Summary = "Manage containers",
        Commands = [CreateCommand.Spec, ExecCommand.Spec, Inspect, Kill, Logs, List, PortCommand.Spec, Restart, Remove, RunCommand.Spec, Start, Stop, Wait],
    };

    private static CommandSpec Many(string name, string summary, FlagSpec[] flags,
        Func<DaemonClient, string, ParsedArgs, CancellationToken, Task> action, string[]? aliases = null) => new()
    {
        Name = name,
        Aliases = aliases ?? [],
        Summary = summary,
        ArgsUsage = "CONTAINER [CONTAINER...]",
        Flags = flags,
        MinArgs = 1,
        Run = (context, args) => ForEachAsync(context, args, action),
    };

    private static int? Seconds(ParsedArgs args) =>
        args.Value("time") is { } t ? RunOptionParsers.ParseSeconds(t, "-t, --time") : null;

    private static async Task<int> ForEachAsync(CommandContext context, ParsedArgs args,
        Func<DaemonClient, string, ParsedArgs, CancellationToken, Task> action)
    {
        Seconds(args); // a bad -t is a usage error before anything is sent
        bool failed = false;
        foreach (var container in args.Positionals)
        {
            try
            {
                await action(context.Daemon, container, args, context.Cancel).ConfigureAwait(false);
                context.Out.WriteLine(container);
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                // The daemon answered (no such container, still running...): report it and go on with the others.
                context.Error(e.Message);
                failed = true;
            }
        }
        return failed ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }

    private static async Task<int> PsAsync(CommandContext context, ParsedArgs args)
    {
        string format = args.Value("format") ?? "table";
        if (format != "table" && format != "json")
            throw new UsageException($"unsupported --format \"{format}\": use table or json");
        bool quiet = args.Bool("quiet");
        bool noTrunc = args.Bool("no-trunc");
        string? filters = NetworkCommands.BuildFilters(args.Values("filter"));

        var raw = await context.Daemon.ListContainersRawAsync(args.Bool("all"), filters, context.Cancel).ConfigureAwait(false);
        if (format == "json" && !quiet)
        {
            JsonOutput.Write(context.Out, raw);
            return CliApp.ExitOk;
        }
        var containers = DaemonClient.Decode(raw, ApiJsonContext.Default.ListContainerSummary, HttpMethod.Get, "/containers/json");
        if (quiet)
        {
            foreach (var c in containers) context.Out.WriteLine(noTrunc ? c.Id : ContainerTable.ShortId(c.Id));
            return CliApp.ExitOk;
        }
        ContainerTable.Format(containers, noTrunc, DateTimeOffset.UtcNow).WriteTo(context.Out);
        return CliApp.ExitOk;
    }

    private static async Task<int> LogsAsync(CommandContext context, ParsedArgs args)
    {
        string? tail = args.Value("tail");
        if (tail is not null && tail != "all" && !(int.TryParse(tail, out int lines) && lines >= 0))
            throw new UsageException($"invalid argument \"{tail}\" for \"-n, --tail\" flag: expected a number of lines or \"all\"");
        var options = new LogsOptions(args.Bool("follow"), tail, args.Bool("timestamps"));
        await context.Daemon.StreamLogsAsync(args.Positionals[0], options, context.Out, context.Err, context.Cancel).ConfigureAwait(false);
        return CliApp.ExitOk;
    }

    private static async Task<int> InspectAsync(CommandContext context, ParsedArgs args)
    {
        var found = new List<byte[]>(args.Positionals.Count);
        var errors = new List<string>();
        foreach (var container in args.Positionals)
        {
            try
            {
                found.Add(await context.Daemon.InspectContainerRawAsync(container, context.Cancel).ConfigureAwait(false));
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                errors.Add(e.Message); // print what was found, then the errors, like docker
            }
        }
        JsonOutput.WriteArray(context.Out, found);
        foreach (var error in errors) context.Error(error);
        return errors.Count == 0 ? CliApp.ExitOk : CliApp.ExitDaemonError;
    }

    private static async Task<int> WaitAsync(CommandContext context, ParsedArgs args)
    {
        bool failed = false;
        foreach (var container in args.Positionals)
        {
            try
            {
                var result = await context.Daemon.WaitContainerAsync(container, null, context.Cancel).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(result.Error?.Message))
                {
                    context.Error($"waiting for {container} failed: {result.Error.Message}");
                    failed = true;
                    continue;
                }
                context.Out.WriteLine(result.StatusCode);
            }
            catch (DaemonException e) when (e.StatusCode != 0)
            {
                context.Error(e.Message);
                failed = true;
            }
        }
        return failed ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }
}
