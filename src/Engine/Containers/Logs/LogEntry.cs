namespace MyDocker.Engine.Containers.Logs;

public enum LogStream { Stdout, Stderr }

/// <summary>
/// One line of a container's output, with the time conmon read it. <see cref="Text"/> has no line terminator; a line
/// the container wrote in pieces (conmon's "P" records) is one entry, stamped with the time of its first piece.
/// </summary>
public sealed record LogEntry(DateTimeOffset Time, LogStream Stream, string Text);

/// <summary>What to read from a log (`docker logs` options).</summary>
/// <param name="Tail">Only the last N lines present when reading starts; null means all.</param>
/// <param name="Since">Skip lines stamped before this time.</param>
/// <param name="Until">Skip lines stamped after this time (and stop following once one is seen).</param>
/// <param name="Follow">Keep reading lines appended while the container runs.</param>
public sealed record LogReadOptions(int? Tail = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, bool Follow = false)
{
    /// <summary>Docker's --tail values: "all" (or empty) or a non-negative number.</summary>
    public static int? ParseTail(string? tail) =>
        string.IsNullOrEmpty(tail) || tail == "all" ? null
        : int.TryParse(tail, out var n) && n >= 0 ? n
        : throw EngineException.Invalid($"invalid --tail value '{tail}': give a number of lines or \"all\"");
}
