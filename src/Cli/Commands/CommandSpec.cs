using MyDocker.Cli.Parsing;

namespace MyDocker.Cli.Commands;

/// <summary>Runs a parsed command; returns the process exit code.</summary>
public delegate Task<int> CommandHandler(CommandContext context, ParsedArgs args);

/// <summary>
/// A leaf command (<c>network create</c>, later <c>run</c>, <c>ps</c>): its flags, how many positionals it takes,
/// its help text and handler. The global flags (<c>-H</c>, <c>--help</c>) are accepted by every command.
/// </summary>
public sealed class CommandSpec
{
    public required string Name { get; init; }
    public string[] Aliases { get; init; } = [];
    /// <summary>One line, shown in command lists and at the top of the command's help.</summary>
    public required string Summary { get; init; }
    /// <summary>What follows <c>[OPTIONS]</c> in the usage line, e.g. <c>NETWORK [NETWORK...]</c>.</summary>
    public string ArgsUsage { get; init; } = "";
    public FlagSpec[] Flags { get; init; } = [];
    public int MinArgs { get; init; }
    public int MaxArgs { get; init; } = int.MaxValue;
    /// <summary>False for commands whose trailing words belong to something else (<c>run IMAGE CMD -x</c>).</summary>
    public bool Interspersed { get; init; } = true;
    public required CommandHandler Run { get; init; }
    /// <summary>Exit code for a usage or daemon error of this command instead of 2/1; <c>run</c> uses Docker's 125 so
    /// its own failures cannot be mistaken for the container's exit code.</summary>
    public int? FailureExitCode { get; init; }

    public bool Matches(string word)
    {
        if (word == Name) return true;
        foreach (var alias in Aliases) if (word == alias) return true;
        return false;
    }
}

/// <summary>A management command that only groups others: <c>network</c>, <c>system</c>.</summary>
public sealed class CommandGroup
{
    public required string Name { get; init; }
    public required string Summary { get; init; }
    public required CommandSpec[] Commands { get; init; }

    public CommandSpec? Find(string word)
    {
        foreach (var command in Commands) if (command.Matches(word)) return command;
        return null;
    }
}
