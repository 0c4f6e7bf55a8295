using System.Text;
using MyDocker.Cli;
using MyDocker.Cli.Streams;

namespace MyDocker.UnitTests.Cli;

public class MultiplexedStreamReaderTests
{
    /// <summary>Hands out at most <c>step</c> bytes per read, so frames and headers arrive split.</summary>
    private sealed class TrickleStream(byte[] data, int step) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, step), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static byte[] Frames(params (byte Stream, string Text)[] frames) =>
        frames.SelectMany(f => MultiplexedStreamReader.Frame(f.Stream, Encoding.UTF8.GetBytes(f.Text))).ToArray();

    private static async Task<(string Out, string Err)> Demux(byte[] data, int step)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        await MultiplexedStreamReader.CopyAsync(new TrickleStream(data, step), stdout, stderr, CancellationToken.None);
        return (stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task StdoutAndStderrAreKeptApartHoweverTheBytesArrive(int step)
    {
        var data = Frames((1, "out 1\n"), (2, "err 1\n"), (1, "out 2\n"), (0, "stdin as stdout\n"), (2, ""), (2, "err 2\n"));
        var (stdout, stderr) = await Demux(data, step);
        Assert.Equal("out 1\nout 2\nstdin as stdout\n", stdout);
        Assert.Equal("err 1\nerr 2\n", stderr);
    }

    [Fact]
    public async Task ALargeFrameIsCopiedWhole()
    {
        string big = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i:D6}\n")); // 240 000 bytes, > the 32 KiB buffer
        var (stdout, stderr) = await Demux(Frames((1, big), (2, "end\n")), 50_000);
        Assert.Equal(big, stdout);
        Assert.Equal("end\n", stderr);
    }

    [Fact]
    public async Task ACharacterSplitAcrossFramesComesOutWhole()
    {
        byte[] euro = Encoding.UTF8.GetBytes("€"); // 3 bytes
        var data = MultiplexedStreamReader.Frame(1, euro.AsSpan(0, 1))
            .Concat(MultiplexedStreamReader.Frame(2, "e"u8))
            .Concat(MultiplexedStreamReader.Frame(1, euro.AsSpan(1))).ToArray();
        var (stdout, stderr) = await Demux(data, 1);
        Assert.Equal("€", stdout);
        Assert.Equal("e", stderr);
    }

    [Fact]
    public async Task AnEmptyStreamIsNoOutput() => Assert.Equal(("", ""), await Demux([], 1));

    [Fact]
    public async Task TruncatedHeaderIsAnError()
    {
        var data = Frames((1, "ok\n")).Concat(new byte[] { 1, 0, 0 }).ToArray();
        var e = await Assert.ThrowsAsync<DaemonException>(() => Demux(data, 5));
        Assert.Contains("inside a frame header (3 of 8 bytes)", e.Message);
    }

    [Fact]
    public async Task TruncatedPayloadIsAnError()
    {
        var data = Frames((1, "complete\n"))[..^3];
        var e = await Assert.ThrowsAsync<DaemonException>(() => Demux(data, 100));
        Assert.Contains("3 bytes missing", e.Message);
    }

    [Fact]
    public async Task DaemonErrorFrameBecomesTheMessage()
    {
        var e = await Assert.ThrowsAsync<DaemonException>(() => Demux(Frames((1, "a\n"), (3, "log file vanished\n")), 64));
        Assert.Equal("the daemon failed while streaming logs: log file vanished", e.Message);
    }

    [Fact]
    public async Task UnknownStreamTypeIsAnError() =>
        Assert.Contains("unknown stream type 9", (await Assert.ThrowsAsync<DaemonException>(() => Demux(Frames((9, "x")), 64))).Message);
}
