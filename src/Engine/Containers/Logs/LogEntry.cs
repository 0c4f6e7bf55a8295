namespace MyDocker.Engine.Containers.Logs;

public enum LogStream { Stdout, Stderr }

/// <summary>
/// One line of a container's output, or a piece of one, with the time conmon read it. <see cref="Text"/> has no line
/// terminator; a line the container wrote in pieces (conmon's "P" records) is one entry, stamped with the time of its
/// first piece, unless it is longer than <see cref="LineAssembler.MaxPiece"/> bytes: then it comes as several entries.
/// </summary>
/// <param name="Partial">The line goes on in a later entry of the same stream (a piece of a long line, or what the
/// container left unfinished when the log ended): no newline follows this text. Writing each entry's text, plus a
/// newline after those that are not partial, gives back the container's bytes.</param>
public sealed record LogEntry(DateTimeOffset Time, LogStream Stream, string Text, bool Partial = false);

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
