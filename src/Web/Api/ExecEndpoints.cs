using Microsoft.AspNetCore.Http.Features;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Shared.Api;
using MyDocker.Web.Hosting;

namespace MyDocker.Web.Api;

/// <summary>Docker's exec: create an instance, start it (its stdio on the upgraded connection), inspect it for its
/// exit code. The process is `runc exec` in the container, without a terminal (see ContainerRuntime.ExecAsync).</summary>
public static class ExecEndpoints
{
    public static void MapExecEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/{id}/exec", async (string id, HttpRequest request, ContainerService containers, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.ExecCreateRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with a Cmd");
            if (body.Privileged) throw EngineException.Invalid("privileged exec is not supported; leave out --privileged");
            if (body.Tty) throw EngineException.Invalid("exec with a terminal (-t) is not supported yet; leave out -t (-i alone passes stdin)");
            var session = await containers.CreateExecAsync(id,
                new ExecConfig(body.Cmd ?? [], body.AttachStdin, body.Env ?? [], NullIfEmpty(body.WorkingDir), NullIfEmpty(body.User)), ct);
            return Results.Json(new ExecCreateResponse { Id = session.Id }, ApiJsonContext.Default.ExecCreateResponse, statusCode: StatusCodes.Status201Created);
        });

        app.MapPost("/exec/{id}/start", StartAsync);

        app.MapGet("/exec/{id}/json", (string id, ContainerService containers) =>
        {
            var s = containers.GetExec(id);
            return Results.Json(new ExecInspect
            {
                ID = s.Id, Running = s.Running, ExitCode = s.ExitCode, OpenStdin = s.Config.Stdin,
                ContainerID = s.ContainerId,
                ProcessConfig = new ExecProcessConfig { entrypoint = s.Config.Cmd[0], arguments = s.Config.Cmd.Skip(1).ToList(), user = s.Config.User ?? "" },
            }, ApiJsonContext.Default.ExecInspect);
        });
    }

    private static async Task StartAsync(HttpContext ctx, string id, ContainerService containers)
    {
        var ct = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var body = ctx.Request.ContentLength is > 0 ? await ctx.Request.ReadFromJsonAsync(ApiJsonContext.Default.ExecStartRequest, ct) : null;
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (body?.Detach != true && upgrade is not { IsUpgradableRequest: true })
            throw EngineException.Invalid("exec start needs an upgraded connection (Connection: Upgrade, Upgrade: tcp), or Detach");
        var process = await containers.StartExecAsync(id, ct);
        if (body?.Detach == true)
        {
            // Nobody reads its output: drain it so the process never blocks on a full pipe.
            _ = DrainAsync(process);
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        ctx.Response.Headers.ContentType = "application/vnd.docker.multiplexed-stream";
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = "tcp";
        using var hold = HalfClose.Hold(ctx);
        await using var stream = await upgrade!.UpgradeAsync();
        // A client that went away ends the exec: its output has nowhere to go, and the runc exec, the pipes and this
        // request would otherwise stay until the process ends by itself (`tail -f` never does). Docker lets the
        // process live on because its shim, not the daemon, holds the stdio; `exec -d` is the way to get that here.
        using var gone = ClientGone.Watch(ctx, ct);
        using (process)
        using (gone.Token.Register(process.Dispose))
        {
            // Not awaited: the client's stdin may stay open until it sees the output end (see AttachStdioAsync).
            if (process.Input is { } stdin) _ = PumpAsync(stream, stdin, hold.InputEnded, gone.Token);
            var writeLock = new SemaphoreSlim(1, 1);
            await Task.WhenAll(
                CopyOutAsync(process.Output, stream, LogStream.Stdout, writeLock, gone.Token),
                CopyOutAsync(process.Errors, stream, LogStream.Stderr, writeLock, gone.Token));
            await process.Exited;
        }
    }

    /// <summary>One of the process's outputs to the client, in Docker's frames.</summary>
    private static async Task CopyOutAsync(Stream from, Stream to, LogStream kind, SemaphoreSlim writeLock, CancellationToken ct)
    {
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0)
            {
                await writeLock.WaitAsync(ct);
                try
                {
                    await ContainerEndpoints.WriteFrameAsync(to, kind, buffer.AsMemory(0, n), ct);
                    await to.FlushAsync(ct);
                }
                finally { writeLock.Release(); }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    /// <summary>The client's bytes to the process's stdin; closed when the client half-closes.</summary>
    private static async Task PumpAsync(Stream from, Stream stdin, Task inputEnded, CancellationToken ct)
    {
        await Streaming.CopyClientInputAsync(from, inputEnded, async (bytes, token) =>
        {
            await stdin.WriteAsync(bytes, token);
            await stdin.FlushAsync(token);
        }, ct);
        try { stdin.Dispose(); } catch (IOException) { } // a process that already ended
    }

    private static async Task DrainAsync(ExecProcess process)
    {
        using (process)
        {
            await Task.WhenAll(Drain(process.Output), Drain(process.Errors));
            await process.Exited;
        }

        static async Task Drain(Stream s)
        {
            try { await s.CopyToAsync(Stream.Null); } catch (IOException) { }
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
