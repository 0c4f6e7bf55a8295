using System.Text.Json;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;

namespace MyDocker.Cli;

/// <summary>
/// Entry point of the CLI, free of process globals so tests can run it in-process: dispatches
/// <c>mydocker [GLOBAL FLAGS] [GROUP] VERB [ARGS]</c> to a <see cref="CommandSpec"/> and maps failures to exit codes:
/// 0 success, 1 the daemon failed or could not be reached, 2 the command line is wrong.
/// </summary>
public static class CliApp
{
    public const string ProgramName = "mydocker";
    /// <summary>The build's version (Directory.Build.props), the same as the daemon's.</summary>
    public static readonly string ClientVersion = typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    public const int ExitOk = 0;
    public const int ExitDaemonError = 1;
    public const int ExitUsage = 2;
    /// <summary>128 + SIGINT: the user pressed Ctrl-C (the shell's convention).</summary>
    public const int ExitInterrupted = 130;

    /// <summary>Accepted by every command, before or after its verb.</summary>
    public static readonly FlagSpec[] GlobalFlags =
    [
        FlagSpec.Value("host", 'H', "string",
            "Daemon socket to connect to (env MYDOCKER_HOST, or DOCKER_HOST if unix://)", DaemonHost.Default),
        FlagSpec.Bool("help", 'h', "Print usage"),
    ];

    private static readonly FlagSpec[] RootFlags =
        [.. GlobalFlags, FlagSpec.Bool("version", 'v', "Print version information and quit")];

    /// <param name="args">The arguments after the program name.</param>
    /// <param name="env">Environment lookup (<see cref="Environment.GetEnvironmentVariable(string)"/> in the real program).</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        Func<string, string?> env, CancellationToken cancel = default)
    {
        string hintPath = ProgramName;
        try
        {
            var root = ArgParser.Parse(args, RootFlags, interspersed: false);
            string? host = root.Value("host");
            if (root.Bool("version"))
            {
                stdout.WriteLine($"{ProgramName} version {ClientVersion}");
                return ExitOk;
            }
            if (root.Bool("help") || root.Positionals.Count == 0)
            {
                stdout.Write(Help.Root(ProgramName, CommandTree.Groups, CommandTree.Commands, RootFlags));
                return ExitOk;
            }

            string word = root.Positionals[0];
            var rest = Skip(root.Positionals, 1);
            if (word == "help") return WriteHelp(rest, stdout);

            if (CommandTree.FindGroup(word) is { } group)
            {
                hintPath = ProgramName + " " + group.Name;
                var groupArgs = ArgParser.Parse(rest, GlobalFlags, interspersed: false);
                host = groupArgs.Value("host") ?? host;
                if (groupArgs.Bool("help") || groupArgs.Positionals.Count == 0)
                {
                    stdout.Write(Help.Group(hintPath, group));
                    return ExitOk;
                }
                string verb = groupArgs.Positionals[0];
                var command = group.Find(verb)
                    ?? throw new UsageException($"unknown command \"{verb}\" for \"{hintPath}\"");
                return await RunCommandAsync(hintPath + " " + command.Name, command, Skip(groupArgs.Positionals, 1),
                    host, stdout, stderr, env, cancel).ConfigureAwait(false);
            }
            if (CommandTree.FindCommand(word) is { } topLevel)
            {
                return await RunCommandAsync(ProgramName + " " + topLevel.Name, topLevel, rest,
                    host, stdout, stderr, env, cancel).ConfigureAwait(false);
            }
            throw new UsageException($"unknown command \"{word}\" for \"{ProgramName}\"");
        }
        catch (UsageException e)
        {
            stderr.WriteLine("Error: " + e.Message);
            stderr.WriteLine($"See '{e.CommandPath ?? hintPath} --help'.");
            return ExitUsage;
        }
        catch (DaemonException e)
        {
            stderr.WriteLine("Error: " + e.Message);
            return ExitDaemonError;
        }
        catch (JsonException e)
        {
            stderr.WriteLine("Error: the daemon sent malformed JSON: " + e.Message);
            return ExitDaemonError;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl-C (logs -f, a long stop): quiet, like a Go CLI killed by SIGINT.
            return ExitInterrupted;
        }
    }

    private static async Task<int> RunCommandAsync(string path, CommandSpec command, IReadOnlyList<string> rest, string? host,
        TextWriter stdout, TextWriter stderr, Func<string, string?> env, CancellationToken cancel)
    {
        try
        {
            var parsed = ArgParser.Parse(rest, [.. command.Flags, .. GlobalFlags], command.Interspersed);
            if (parsed.Bool("help"))
            {
                stdout.Write(Help.Command(path, command, GlobalFlags));
                return ExitOk;
            }
            CheckArgCount(path, command, parsed.Positionals.Count);
            using var context = new CommandContext(stdout, stderr, path, parsed.Value("host") ?? host, env, cancel);
            return await command.Run(context, parsed).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            e.CommandPath ??= path;
            if (command.FailureExitCode is not int code) throw;
            stderr.WriteLine("Error: " + e.Message);
            stderr.WriteLine($"See '{e.CommandPath} --help'.");
            return code;
        }
        catch (DaemonException e) when (command.FailureExitCode is int code)
        {
            stderr.WriteLine("Error: " + e.Message);
            return code;
        }
        catch (JsonException e) when (command.FailureExitCode is int code)
        {
            stderr.WriteLine("Error: the daemon sent malformed JSON: " + e.Message);
            return code;
        }
    }

    private static void CheckArgCount(string path, CommandSpec command, int count)
    {
        if (count >= command.MinArgs && count <= command.MaxArgs) return;
        string message;
        if (command.MaxArgs == 0) message = $"\"{path}\" accepts no arguments";
        else if (command.MinArgs == command.MaxArgs) message = $"\"{path}\" requires exactly {Plural(command.MinArgs)}";
        else if (count < command.MinArgs) message = $"\"{path}\" requires at least {Plural(command.MinArgs)}";
        else message = $"\"{path}\" requires at most {Plural(command.MaxArgs)}";
        throw new UsageException(message, path);

        static string Plural(int n) => n == 1 ? "1 argument" : $"{n} arguments";
    }

    // mydocker help [GROUP [VERB] | VERB]
    private static int WriteHelp(IReadOnlyList<string> words, TextWriter stdout)
    {
        if (words.Count == 0)
        {
            stdout.Write(Help.Root(ProgramName, CommandTree.Groups, CommandTree.Commands, RootFlags));
            return ExitOk;
        }
        if (CommandTree.FindGroup(words[0]) is { } group)
        {
            string groupPath = ProgramName + " " + group.Name;
            if (words.Count == 1)
            {
                stdout.Write(Help.Group(groupPath, group));
                return ExitOk;
            }
            var command = group.Find(words[1])
                ?? throw new UsageException($"unknown command \"{words[1]}\" for \"{groupPath}\"", groupPath);
            stdout.Write(Help.Command(groupPath + " " + command.Name, command, GlobalFlags));
            return ExitOk;
        }
        if (CommandTree.FindCommand(words[0]) is { } topLevel)
        {
            stdout.Write(Help.Command(ProgramName + " " + topLevel.Name, topLevel, GlobalFlags));
            return ExitOk;
        }
        throw new UsageException($"unknown command \"{words[0]}\" for \"{ProgramName}\"", ProgramName);
    }

    private static IReadOnlyList<string> Skip(IReadOnlyList<string> list, int count)
    {
        if (count >= list.Count) return [];
        var result = new string[list.Count - count];
        for (int i = 0; i < result.Length; i++) result[i] = list[i + count];
        return result;
    }
}
