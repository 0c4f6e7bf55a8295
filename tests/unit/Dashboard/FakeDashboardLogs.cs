using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Dashboard.Logs;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The log seam over an in-memory log: line i sits at offset 10·i. Lines the test writes with
/// <see cref="Write"/> are added to the log and handed to followers through a channel.</summary>
public sealed class FakeDashboardLogs : IDashboardLogs
{
    private readonly Lock _lock = new();
    private readonly List<LogLine> _lines = [];
    private Channel<IReadOnlyList<LogLine>> _live = Channel.CreateUnbounded<IReadOnlyList<LogLine>>();
    public string Container { get; set; } = "web";

    /// <summary>Adds lines to the log without handing them to followers (what was there before the page opened).</summary>
    public void Seed(int count, Func<int, string>? text = null, Func<int, LogStream>? stream = null, Func<int, long>? cut = null)
    {
        for (int i = 0; i < count; i++) Append(text?.Invoke(i) ?? $"line {i}", stream?.Invoke(i) ?? LogStream.Stdout, cut?.Invoke(i) ?? 0);
    }

    /// <summary>What conmon's --log-size-max does: the log starts afresh with <paramref name="lines"/>, and followers end
    /// with <see cref="LogReplacedException"/>.</summary>
    public void Replace(params string[] lines)
    {
        Channel<IReadOnlyList<LogLine>> old;
        lock (_lock)
        {
            _lines.Clear();
            old = _live;
            _live = Channel.CreateUnbounded<IReadOnlyList<LogLine>>();
        }
        Seed(lines.Length, i => lines[i]);
        old.Writer.TryComplete(new LogReplacedException(Container));
    }

    /// <summary>What rm does: followers end without an error.</summary>
    public void End()
    {
        lock (_lock) _live.Writer.TryComplete();
    }

    /// <summary>How many followers are reading now.</summary>
    public int Following => Volatile.Read(ref _following);
    private int _following;

    public IReadOnlyList<LogLine> Write(params (string Text, LogStream Stream)[] lines)
    {
        var batch = lines.Select(l => Append(l.Text, l.Stream)).ToList();
        _live.Writer.TryWrite(batch);
        return batch;
    }

    public IReadOnlyList<LogLine> Write(params string[] lines) => Write(lines.Select(l => (l, LogStream.Stdout)).ToArray());

    private LogLine Append(string text, LogStream stream, long cut = 0)
    {
        lock (_lock)
        {
            var line = new LogLine(_lines.Count * 10L, DateTimeOffset.UnixEpoch.AddSeconds(_lines.Count), stream, text, cut);
            _lines.Add(line);
            return line;
        }
    }

    public Task<LogChunk> TailAsync(string container, int count, CancellationToken ct = default)
    {
        Check(container);
        lock (_lock) return Task.FromResult(Chunk(_lines, count));
    }

    public Task<LogChunk> OlderAsync(string container, long before, int count, CancellationToken ct = default)
    {
        Check(container);
        lock (_lock) return Task.FromResult(Chunk(_lines.Where(l => l.Offset < before).ToList(), count));
    }

    private LogChunk Chunk(List<LogLine> lines, int count)
    {
        var last = lines.Skip(Math.Max(0, lines.Count - count)).ToList();
        return new LogChunk(last, last.Count > 0 ? last[0].Offset : 0, _lines.Count * 10L);
    }

    public async IAsyncEnumerable<IReadOnlyList<LogLine>> FollowAsync(string container, long from, [EnumeratorCancellation] CancellationToken ct = default)
    {
        Check(container);
        Channel<IReadOnlyList<LogLine>> live;
        lock (_lock) live = _live;
        Interlocked.Increment(ref _following);
        try
        {
            while (await live.Reader.WaitToReadAsync(ct))
                while (live.Reader.TryRead(out var batch))
                    yield return batch.Where(l => l.Offset >= from).ToList();
        }
        finally { Interlocked.Decrement(ref _following); }
    }

    private void Check(string container)
    {
        if (container != Container) throw EngineException.NotFound($"no such container: {container}");
    }
}
