namespace MyDocker.Cli.Parsing;

/// <summary>
/// The command line is wrong (unknown command or flag, missing value, wrong argument count). The CLI prints
/// <c>Error: {Message}</c> and a hint to the help of <see cref="CommandPath"/>, and exits with code 2.
/// </summary>
public sealed class UsageException(string message, string? commandPath = null) : Exception(message)
{
    /// <summary>The command whose help the hint points to, e.g. <c>mydocker network create</c>; null before
    /// the command is known (the hint then names the parser's caller).</summary>
    public string? CommandPath { get; set; } = commandPath;
}
