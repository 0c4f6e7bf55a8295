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
}
