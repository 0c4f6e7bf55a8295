using System.Buffers.Binary;
using Microsoft.AspNetCore.Http.Features;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Web.Hosting;

namespace MyDocker.Web.Api;

/// <summary>Docker's attach: output from the log, or, for a terminal or stdin, through the container's monitor.</summary>
public static partial class ContainerEndpoints
{
    /// <summary>Docker's attach, as `docker run` without -d uses it before starting the container: the connection is
    /// upgraded (101) and carries the container's output from now until its next exit, in the log stream's frames.</summary>
    private static async Task AttachAsync(HttpContext ctx, string id, ContainerService containers)
    {
        // Not RequestAborted: a client with no stdin to send half-closes the upgraded connection at once (the docker
        // CLI does), which Kestrel reports as an abort. A client that really left is noticed by ClientGone, so an
        // attach to a silent container does not follow its log (and hold a subscription) for ever.
        using var gone = ClientGone.Watch(ctx, ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var ct = gone.Token;
        var q = ctx.Request.Query;
        bool stdout = Query.Bool(q["stdout"]), stderr = Query.Bool(q["stderr"]);
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
            throw EngineException.Invalid("attach needs an upgraded connection (Connection: Upgrade, Upgrade: tcp); use 'logs -f' to follow output");
        var view = await containers.GetAsync(id, ct);
        if (view.Spec.Tty || (view.Spec.OpenStdin && Query.Bool(q["stdin"])))
        {
            await AttachStdioAsync(ctx, upgrade, view, containers, Query.Bool(q["stdin"]) && view.Spec.OpenStdin, stdout, stderr, ct);
            return;
        }
        var (path, _) = await containers.LogSourceAsync(id, ct);
        // The stream ends with the container's next exit (or its removal).
        var exited = await containers.BeginWaitAsync(id, "next-exit", ct);
        // Output from now on (all of it with logs=1). By time rather than by position: the log file may not exist yet
        // (the docker CLI attaches before it starts the container).
        var options = new LogReadOptions { Follow = true, Since = Query.Bool(q["logs"]) ? null : DateTimeOffset.UtcNow };
        ctx.Response.Headers.ContentType = "application/vnd.docker.multiplexed-stream";
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = "tcp";
        using var hold = HalfClose.Hold(ctx);
        await using var stream = await upgrade.UpgradeAsync();
        await WriteFramesAsync(stream, new ContainerLogReader(path, id).ReadAsync(options, () => !exited.IsCompleted, ct), stdout, stderr, false, true, ct);
    }

    /// <summary>
    /// Attach through the container's monitor (conmon's attach socket) rather than its log: for a terminal (output
    /// raw, as it comes, prompts without a newline included) and for stdin. The 101 goes out first: Docker's clients
    /// start the container only after it. The socket is connected when the container starts, before its process runs.
    /// </summary>
    private static async Task AttachStdioAsync(
        HttpContext ctx, IHttpUpgradeFeature upgrade, ContainerView view, ContainerService containers, bool stdin, bool stdout, bool stderr,
        CancellationToken ct)
    {
        bool tty = view.Spec.Tty;
        var connecting = containers.AttachStdioAsync(view.Id, ct);
        ctx.Response.Headers.ContentType = tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = "tcp";
        using var hold = HalfClose.Hold(ctx);
        await using var stream = await upgrade.UpgradeAsync();
        System.Net.Sockets.Socket socket;
        try { socket = await connecting; }
        catch (Exception e) when (e is EngineException or MyDocker.Engine.Containers.Runtime.ContainerStartException or OperationCanceledException) { return; }
        using (socket)
        {
            // Not awaited: a client keeps its stdin open until it sees the output end, which is when this returns;
            // disposing the socket and the stream then ends the pump.
            if (stdin) _ = PumpStdinAsync(stream, socket, hold.InputEnded, ct);
            // conmon's packets: one byte naming the stream (2 stdout, 3 stderr), then the bytes. They end when the
            // monitor closes the socket, after the container exited and its output was sent.
            var packet = new byte[8192 + 1];
            try
            {
                while (true)
                {
                    int n = await socket.ReceiveAsync(packet, System.Net.Sockets.SocketFlags.None, ct);
                    if (n <= 0) break;
                    var kind = packet[0] == 3 ? LogStream.Stderr : LogStream.Stdout;
                    if (kind == LogStream.Stdout ? !stdout : !stderr) continue;
                    if (tty) await stream.WriteAsync(packet.AsMemory(1, n - 1), ct);
                    else await WriteFrameAsync(stream, kind, packet.AsMemory(1, n - 1), ct);
                    await stream.FlushAsync(ct);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException) { }
        }
    }

    /// <summary>The client's bytes to the container's stdin; when the client half-closes, the container's stdin is
    /// closed (shutdown of our sending side; conmon closes the pipe), and its output still flows back.</summary>
    private static async Task PumpStdinAsync(Stream stream, System.Net.Sockets.Socket socket, Task inputEnded, CancellationToken ct)
    {
        await Streaming.CopyClientInputAsync(stream, inputEnded, async (bytes, token) => await socket.SendAsync(bytes, System.Net.Sockets.SocketFlags.None, token), ct);
        try { socket.Shutdown(System.Net.Sockets.SocketShutdown.Send); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException) { }
    }

    /// <summary>One frame of Docker's multiplexed stream (see <see cref="WriteFrameHeader"/>).</summary>
    internal static async Task WriteFrameAsync(Stream body, LogStream kind, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var header = new byte[FrameHeaderSize];
        WriteFrameHeader(header, kind, bytes.Length);
        await body.WriteAsync(header, ct);
        await body.WriteAsync(bytes, ct);
    }

    private const int FrameHeaderSize = 8;

    /// <summary>Docker's frame header: [1 stdout | 2 stderr, 0, 0, 0, big-endian uint32 length] (moby api/types/stdcopy).</summary>
    private static void WriteFrameHeader(Span<byte> header, LogStream kind, int length)
    {
        header[0] = kind == LogStream.Stdout ? (byte)1 : (byte)2;
        header[1] = header[2] = header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)length);
    }
}
