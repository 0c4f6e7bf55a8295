using System.Runtime.CompilerServices;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>The real log seam: the container's conmon log file, read by offset (<see cref="LogFileReader"/>).</summary>
public sealed class EngineDashboardLogs(ContainerService containers, TimeProvider? time = null) : IDashboardLogs
{
    /// <summary>How often a followed log is looked at when nothing new was read. inotify is not used: it does not see
    /// conmon's writes made from another mount namespace (ContainerLog's note), and a stat per 100 ms is cheap.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<LogChunk> TailAsync(string container, int count, CancellationToken ct = default)
    {
        var (path, _) = await containers.LogSourceAsync(container, ct);
        using var file = ContainerLog.Open(path);
        return file is null ? new LogChunk([], 0, 0) : LogFileReader.Last(file, count);
    }

    public async Task<LogChunk> OlderAsync(string container, long before, int count, CancellationToken ct = default)
    {
        var (path, _) = await containers.LogSourceAsync(container, ct);
        using var file = ContainerLog.Open(path);
        return file is null ? new LogChunk([], 0, 0) : LogFileReader.Last(file, count, Math.Min(before, file.Length));
    }

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(string container, long from, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var (path, _) = await containers.LogSourceAsync(container, ct);
        long pos = from;
        FileStream? file = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                file ??= ContainerLog.Open(path);
                LogChunk? chunk = null;
                if (file is not null)
                {
                    long length = file.Length;
                    if (length < pos) pos = 0; // truncated: start over
                    if (length > pos) chunk = LogFileReader.Read(file, pos, length, IDashboardLogs.MaxBatch);
                }
                if (chunk is { Lines.Count: > 0 })
                {
                    pos = chunk.End;
                    yield return chunk.Lines;
                    continue; // more may be there already: read again before sleeping
                }
                if (chunk is not null) pos = chunk.End;
                // rm deletes the container's directory with its log; an open handle would keep reading the deleted file.
                if (!Directory.Exists(Path.GetDirectoryName(path))) yield break;
                try { await Task.Delay(PollInterval, _time, ct); }
                catch (OperationCanceledException) { yield break; }
            }
        }
        finally { file?.Dispose(); }
    }
}
