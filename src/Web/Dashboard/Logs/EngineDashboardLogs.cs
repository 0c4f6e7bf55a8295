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
        await foreach (var batch in FollowFileAsync(container, path, from, ContainerLog.Open, _time, ct)) yield return batch;
    }

    /// <summary><see cref="FollowAsync"/> on a file opened by <paramref name="open"/> (tests count the bytes read through
    /// it). One <see cref="LogLineReader"/> lives for the whole follow: each poll reads only what was appended, and a
    /// line still unfinished stays in it (its first <see cref="LogLineReader.MaxLineBytes"/>) instead of being read again.</summary>
    internal static async IAsyncEnumerable<IReadOnlyList<LogLine>> FollowFileAsync(
        string container, string path, long from, Func<string, Stream?> open, TimeProvider time, [EnumeratorCancellation] CancellationToken ct)
    {
        using var log = new FollowedLog(path, open);
        var reader = new LogLineReader(from);
        bool replaced = false;
        while (!ct.IsCancellationRequested)
        {
            if (log.TryOpen() is { } file)
            {
                // Truncated in place (conmon never does; a tool might): offsets start over, so the viewer must too.
                if (file.Length < reader.Fetched) throw new LogReplacedException(container);
                var lines = reader.Read(file, long.MaxValue, IDashboardLogs.MaxBatch, IDashboardLogs.MaxBatchBytes);
                if (lines.Count > 0)
                {
                    yield return lines;
                    continue; // more may be there already: read again before sleeping
                }
                // The old file is read to its end (conmon closed it before the rename): the viewer starts on the new one.
                if (replaced) throw new LogReplacedException(container);
                if (log.Replaced())
                {
                    replaced = true;
                    continue;
                }
            }
            // rm deletes the container's directory with its log; an open handle would keep reading the deleted file.
            if (!Directory.Exists(Path.GetDirectoryName(path))) yield break;
            try { await Task.Delay(PollInterval, time, ct); }
            catch (OperationCanceledException) { yield break; }
        }
    }
}
