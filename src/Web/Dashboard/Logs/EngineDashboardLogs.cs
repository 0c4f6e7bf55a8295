using System.Runtime.CompilerServices;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>The real log seam: the container's log read by offset through the engine's <see cref="ContainerLogReader"/>.</summary>
public sealed class EngineDashboardLogs(ContainerService containers, TimeProvider? time = null) : IDashboardLogs
{
    public async Task<LogChunk> TailAsync(string container, int count, CancellationToken ct = default) =>
        (await ReaderAsync(container, ct)).Tail(count);

    public async Task<LogChunk> OlderAsync(string container, long before, int count, CancellationToken ct = default) =>
        (await ReaderAsync(container, ct)).Tail(count, before);

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(string container, long from, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var log = await ReaderAsync(container, ct);
        // No stop condition: the viewer follows a stopped container too (a restart appends to the same log) until rm.
        await foreach (var batch in log.FollowAsync(from, stopped: null, ct)) yield return batch;
    }

    private async Task<ContainerLogReader> ReaderAsync(string container, CancellationToken ct)
    {
        var (path, _) = await containers.LogSourceAsync(container, ct);
        return new ContainerLogReader(path, container, time);
    }
}
