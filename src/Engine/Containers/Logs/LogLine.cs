namespace MyDocker.Engine.Containers.Logs;

public enum LogStream { Stdout, Stderr }

/// <summary>
/// One line of a container's output, or a piece of one, as <see cref="ContainerLogReader"/> reads it from conmon's log.
/// <see cref="Text"/> has no line terminator; a line the container wrote in pieces (conmon's "P" records) is one line,
/// stamped with the time of its first piece. A line longer than the reader's limit comes either in pieces
/// (<see cref="Partial"/>, Docker's stream) or as its beginning with the rest counted in <see cref="Cut"/> (the offset
/// reads of the dashboard's viewer).
/// </summary>
/// <param name="Offset">The byte offset in the log file of the record that ends this line (a line's pieces may
/// interleave with the other stream's lines): unique within one log file, ordered like the lines as they end, and the
/// cursor for reading older lines.</param>
/// <param name="Cut">Bytes of the line left out after <see cref="Text"/> (offset reads keep at most
/// <see cref="ContainerLogReader.MaxLineBytes"/>).</param>
/// <param name="Partial">The line goes on in a later line of the same stream (a piece of a long line, or what the
/// container left unfinished when the log ended): no newline follows this text. Writing each line's text, plus a
/// newline after those that are not partial, gives back the container's bytes.</param>
public sealed record LogLine(long Offset, DateTimeOffset Time, LogStream Stream, string Text, long Cut = 0, bool Partial = false);

/// <summary>Consecutive lines of a log, oldest first. <see cref="Start"/> is where the first line begins (0: nothing is
/// older), <see cref="End"/> where reading stopped (following continues there).</summary>
public sealed record LogChunk(IReadOnlyList<LogLine> Lines, long Start, long End)
{
    public bool HasOlder => Start > 0;
}

/// <summary>Following by offset ended because the container's log was started afresh under its name (its size limit
/// was reached) or truncated: offsets start over, so read the new log from its tail.</summary>
public sealed class LogReplacedException(string container)
    : Exception($"the log of {container} reached its size limit (max-size) and was started afresh");

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
