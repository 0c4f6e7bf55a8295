using Microsoft.Extensions.Time.Testing;
using MyDocker.Engine.Containers.Logs;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Containers;

/// <summary>The dashboard's follower over a real file, polled on a fake clock, with the bytes it reads counted.</summary>
public sealed class LogFollowTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-logfollow-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(2));
    private CountingStream? _file;
    private string LogPath => Path.Combine(_dir, "ctr.log");

    private static string Rec(string stream, string tag, string text) => $"2026-01-01T00:00:00.123456789+00:00 {stream} {tag} {text}\n";

    /// <summary>Follows the log, counting the bytes read (<paramref name="counted"/>), or through the real opener, whose
    /// file handle tells when the file was replaced.</summary>
    private IAsyncEnumerator<IReadOnlyList<LogLine>> Follow(bool counted = true) =>
        new ContainerLogReader(LogPath, "web", counted ? path => _file = new CountingStream(ContainerLogReader.Open(path)!) : ContainerLogReader.Open, _time)
            .FollowAsync(0, stopped: null, _cts.Token).GetAsyncEnumerator(_cts.Token);

    /// <summary>Lets the follower poll at least once, and until it has read <paramref name="until"/> bytes in all (or the
    /// wait times out).</summary>
    private async Task PollUntilRead(long until)
    {
        do
        {
            _time.Advance(ContainerLogReader.PollInterval);
            await Task.Delay(1);
        }
        while ((_file?.BytesRead ?? 0) < until && !_cts.IsCancellationRequested);
    }

    [Fact]
    public async Task M1_the_dashboard_follower_reads_a_partial_line_growing_in_1_KB_steps_once()
    {
        File.WriteAllText(LogPath, Rec("stdout", "F", "before"));
        await using var batches = Follow();
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal(["before"], batches.Current.Select(l => l.Text));

        var next = batches.MoveNextAsync().AsTask();
        var kilobyte = new string('x', 1024 - Rec("stdout", "P", "").Length);
        for (int step = 0; step < 500; step++)
        {
            File.AppendAllText(LogPath, Rec("stdout", "P", kilobyte));
            await PollUntilRead(new FileInfo(LogPath).Length);
        }
        Assert.False(next.IsCompleted, "an unfinished line is not shown");
        File.AppendAllText(LogPath, Rec("stdout", "F", "end"));
        await PollUntilRead(new FileInfo(LogPath).Length);
        Assert.True(await next);

        // The viewer gets the line's beginning and how much was left out; the file was read once, byte for byte.
        var line = Assert.Single(batches.Current);
        Assert.Equal(ContainerLogReader.MaxLineBytes, line.Text.Length);
        Assert.Equal(500L * kilobyte.Length + "end".Length - ContainerLogReader.MaxLineBytes, line.Cut);
        Assert.Equal(new FileInfo(LogPath).Length, _file!.BytesRead);
    }

    [Fact]
    public async Task Lines_of_the_other_stream_are_not_held_back_by_an_unfinished_line()
    {
        File.WriteAllText(LogPath, Rec("stdout", "P", "par") + Rec("stderr", "F", "between"));
        await using var batches = Follow();
        Assert.True(await batches.MoveNextAsync());
        var between = Assert.Single(batches.Current);
        Assert.Equal("between", between.Text);

        var next = batches.MoveNextAsync().AsTask();
        File.AppendAllText(LogPath, Rec("stdout", "F", "tial"));
        await PollUntilRead(new FileInfo(LogPath).Length);
        Assert.True(await next);
        var partial = Assert.Single(batches.Current);
        Assert.Equal("partial", partial.Text);
        Assert.True(partial.Offset > between.Offset, "lines are ordered as they end");
    }

    [Fact]
    public async Task A_log_conmon_replaced_is_read_to_its_end_then_following_ends_for_a_reload()
    {
        File.WriteAllText(LogPath, Rec("stdout", "F", "a"));
        await using var batches = Follow(counted: false);
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal("a", Assert.Single(batches.Current).Text);

        // What conmon's --log-size-max does: the old file gets its last write, a new one is renamed over it.
        var next = batches.MoveNextAsync().AsTask();
        File.AppendAllText(LogPath, Rec("stdout", "F", "b"));
        File.WriteAllText(LogPath + ".tmp", Rec("stdout", "F", "c"));
        File.Move(LogPath + ".tmp", LogPath, overwrite: true);
        while (!next.IsCompleted && !_cts.IsCancellationRequested)
        {
            _time.Advance(ContainerLogReader.PollInterval);
            await Task.Delay(1);
        }
        Assert.True(await next);
        Assert.Equal("b", Assert.Single(batches.Current).Text);
        await Assert.ThrowsAsync<LogReplacedException>(async () =>
        {
            var more = batches.MoveNextAsync().AsTask();
            while (!more.IsCompleted && !_cts.IsCancellationRequested)
            {
                _time.Advance(ContainerLogReader.PollInterval);
                await Task.Delay(1);
            }
            await more;
        });
    }

    public void Dispose()
    {
        _cts.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
