using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>One line of a container's log as the viewer holds it. <see cref="Offset"/> is the byte offset of the line's
/// last record in the log file (the one that ends it; a line's pieces may interleave with the other stream's lines):
/// unique within one log, ordered like the lines as they end, and the cursor for reading older lines. <see cref="Time"/>
/// is its first piece's. <see cref="Text"/> is at most <see cref="LogLineReader.MaxLineBytes"/> of the line; <see cref="Cut"/>
/// counts the bytes left out. <see cref="Plain"/> is <see cref="Text"/> without ANSI escape sequences (what search
/// matches and what is shown).</summary>
public sealed record LogLine(long Offset, DateTimeOffset Time, LogStream Stream, string Text, long Cut = 0)
{
    public string Plain { get; } = AnsiText.Strip(Text);
}

/// <summary>Consecutive lines of a log, oldest first. <see cref="Start"/> is where the first line begins (0: nothing is
/// older), <see cref="End"/> where reading stopped (following continues there).</summary>
public sealed record LogChunk(IReadOnlyList<LogLine> Lines, long Start, long End)
{
    public bool HasOlder => Start > 0;
}

/// <summary>
/// What the log viewer asks of the engine, in one seam so bUnit drives the viewer with a fake. Containers are named by
/// id or name; an unknown one is an <see cref="Engine.EngineException"/> (NotFound). Every method may be called from any
/// circuit at once; nothing is cached between calls, so memory stays with the caller (the viewer keeps a bounded window).
/// </summary>
public interface IDashboardLogs
{
    /// <summary>The last <paramref name="count"/> lines of the log as it is now.</summary>
    Task<LogChunk> TailAsync(string container, int count, CancellationToken ct = default);

    /// <summary>Up to <paramref name="count"/> lines that end before offset <paramref name="before"/> (a
    /// <see cref="LogLine.Offset"/> or a chunk's Start).</summary>
    Task<LogChunk> OlderAsync(string container, long before, int count, CancellationToken ct = default);

    /// <summary>Lines appended from offset <paramref name="from"/> on, in batches as they are read (at most
    /// <see cref="MaxBatch"/> lines or about <see cref="MaxBatchBytes"/> of text each), until <paramref name="ct"/> is
    /// cancelled or the container is removed. It keeps following a stopped container: a restart appends to the same log.
    /// When the log file is replaced by a new one (conmon's --log-size-max; or truncated), the lines of the old one are
    /// delivered and the enumeration ends with <see cref="LogReplacedException"/>: read the new log from its tail.</summary>
    IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(string container, long from, CancellationToken ct = default);

    public const int MaxBatch = 4096;
    public const int MaxBatchBytes = 1024 * 1024;
}

/// <summary>Following ended because the container's log was started afresh under its name (its size limit was reached).</summary>
public sealed class LogReplacedException(string container)
    : Exception($"the log of {container} reached its size limit (max-size) and was started afresh");
