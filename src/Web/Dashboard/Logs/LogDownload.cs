using System.Text;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;

namespace MyDocker.Web.Dashboard.Logs;

/// <summary>
/// GET /dashboard/containers/{id}/logs/download: the whole log as plain text, one line per log line,
/// "TIME STREAM TEXT" (RFC 3339 UTC with nanosecond digits as stored to 100 ns, "stdout"/"stderr"). Streamed: entries
/// are written as <see cref="ContainerLogReader"/> reads them, a long line piece by piece after one prefix, so a log or a line
/// of any size costs the daemon a few buffers, not the log. Served on the dashboard's listener only, behind its session
/// cookie (DashboardGate runs first).
/// </summary>
public static class LogDownload
{
    public const string Route = "/dashboard/containers/{id}/logs/download";

    public static IEndpointConventionBuilder MapLogDownload(this IEndpointRouteBuilder app) =>
        app.MapGet(Route, async (string id, HttpContext ctx, ContainerService containers) =>
        {
            var ct = ctx.RequestAborted;
            ContainerView view;
            string path;
            try
            {
                view = await containers.GetAsync(id, ct);
                (path, _) = await containers.LogSourceAsync(view.Id, ct);
            }
            catch (EngineException e) when (e.Kind == ErrorKind.NotFound)
            {
                return Results.Text(e.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
            }
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            ctx.Response.Headers.CacheControl = "no-store";
            // Container names are [a-zA-Z0-9][a-zA-Z0-9_.-]*: safe in a quoted filename as they are.
            ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{view.Container.Name}.log\"";
            await using var writer = new StreamWriter(ctx.Response.Body, new UTF8Encoding(false), 64 * 1024);
            try
            {
                // The stream whose line is begun in the file and not ended yet (its next piece continues it).
                LogStream? open = null;
                await foreach (var e in new ContainerLogReader(path, id).ReadAsync(new LogReadOptions(), () => false, ct))
                {
                    if (open is { } o && o != e.Stream)
                    {
                        // The other stream wrote while a long line was in pieces: end it here, its rest gets its own prefix.
                        await writer.WriteAsync('\n');
                        open = null;
                    }
                    if (open is null)
                    {
                        await writer.WriteAsync(e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"));
                        await writer.WriteAsync(e.Stream == LogStream.Stderr ? " stderr " : " stdout ");
                    }
                    await writer.WriteAsync(e.Text);
                    if (e.Partial) open = e.Stream;
                    else { await writer.WriteAsync('\n'); open = null; }
                }
                if (open is not null) await writer.WriteAsync('\n'); // a line left unfinished still ends the file's last line
            }
            catch (OperationCanceledException) { }
            // The browser went away. Any other failure (reading the log) escapes, so the download fails visibly instead of
            // ending as a cut-off file with status 200.
            catch (IOException) when (ct.IsCancellationRequested) { }
            return Results.Empty;
        });
}
