using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>
/// What the log viewer asks of the engine, in one seam so bUnit drives the viewer with a fake. Lines and chunks are the
/// engine's (<see cref="ContainerLogReader"/>): a line's <see cref="LogLine.Offset"/> is the cursor for reading older
/// lines, its text at most <see cref="ContainerLogReader.MaxLineBytes"/> with <see cref="LogLine.Cut"/> counting the
/// bytes left out. Containers are named by id or name; an unknown one is an <see cref="Engine.EngineException"/>
/// (NotFound). Every method may be called from any circuit at once; nothing is cached between calls, so memory stays
/// with the caller (the viewer keeps a bounded window).
/// </summary>
public interface IDashboardLogs
{
    /// <summary>The last <paramref name="count"/> lines of the log as it is now.</summary>
    Task<LogChunk> TailAsync(string container, int count, CancellationToken ct = default);

    /// <summary>Up to <paramref name="count"/> lines that end before offset <paramref name="before"/> (a
    /// <see cref="LogLine.Offset"/> or a chunk's Start).</summary>
    Task<LogChunk> OlderAsync(string container, long before, int count, CancellationToken ct = default);

    /// <summary>Lines appended from offset <paramref name="from"/> on, in batches as they are read (at most
    /// <see cref="ContainerLogReader.MaxBatch"/> lines or about <see cref="ContainerLogReader.MaxBatchChars"/> of text
    /// each), until <paramref name="ct"/> is cancelled or the container is removed. It keeps following a stopped
    /// container: a restart appends to the same log. When the log file is replaced by a new one (conmon's
    /// --log-size-max; or truncated), the lines of the old one are delivered and the enumeration ends with
    /// <see cref="LogReplacedException"/>: read the new log from its tail.</summary>
    IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(string container, long from, CancellationToken ct = default);
}
