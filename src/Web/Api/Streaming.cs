namespace MyDocker.Web.Api;

/// <summary>Helpers for responses that last (wait, logs -f, attach, events).</summary>
public static class Streaming
{
    /// <summary>
    /// A token that fires when the client goes away or the daemon starts to stop. RequestAborted alone would keep a
    /// follower open through shutdown until the host's timeout (30 s), so SIGTERM would not stop the daemon promptly.
    /// The caller disposes the source.
    /// </summary>
    public static CancellationTokenSource UntilStopping(HttpContext ctx) =>
        CancellationTokenSource.CreateLinkedTokenSource(
            ctx.RequestAborted, ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

    /// <summary>Sends the status and headers now. StartAsync alone does not put them on the wire; the flush does.</summary>
    public static async Task SendHeadersAsync(HttpResponse response, string contentType, CancellationToken ct)
    {
        response.ContentType = contentType;
        await response.StartAsync(ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>
    /// What the client sends up an upgraded connection (stdin for attach and exec), handed to <paramref name="write"/>
    /// until the client half-closes (<paramref name="inputEnded"/>, see HalfClose) or the connection ends. Returns
    /// normally then, and on the errors of a client or sink that went away.
    /// </summary>
    public static async Task CopyClientInputAsync(
        Stream from, Task inputEnded, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken ct)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = from.ReadAsync(buffer, ct).AsTask();
                if (await Task.WhenAny(read, inputEnded) != read && !read.IsCompleted) return;
                int n = await read;
                if (n == 0) return;
                await write(buffer.AsMemory(0, n), ct);
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
