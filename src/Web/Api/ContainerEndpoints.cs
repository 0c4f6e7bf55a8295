using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Shared.Api;
using MyDocker.Web.Hosting;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: /containers.</summary>
public static class ContainerEndpoints
{
    public static void MapContainerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/create", async (string? name, HttpRequest request, ContainerService containers, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.ContainerCreateRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with at least an Image");
            var view = await containers.CreateAsync(ContainerMapping.ToSpec(name, body), ct);
            return Results.Json(new ContainerCreateResponse { Id = view.Id }, ApiJsonContext.Default.ContainerCreateResponse,
                statusCode: StatusCodes.Status201Created);
        });

        app.MapGet("/containers/json", async (string? all, string? filters, ContainerService containers, CancellationToken ct) =>
        {
            var match = ContainerFilters.Parse(filters);
            var list = await containers.ListAsync(Query.Bool(all), ct);
            return Results.Json(list.Where(match).Select(ContainerMapping.ToSummary).ToList(), ApiJsonContext.Default.ListContainerSummary);
        });

        app.MapGet("/containers/{id}/json", async (string id, ContainerService containers, EngineOptions options, CancellationToken ct) =>
        {
            var view = await containers.GetAsync(id, ct);
            return Results.Json(ContainerMapping.ToInspect(view, ContainerPaths.For(options, view.Id)), ApiJsonContext.Default.ContainerInspect);
        });

        app.MapPost("/containers/{id}/start", async (string id, ContainerService containers, CancellationToken ct) =>
            await containers.StartAsync(id, ct) ? Results.NoContent() : Results.StatusCode(StatusCodes.Status304NotModified));

        app.MapPost("/containers/{id}/stop", async (string id, string? t, ContainerService containers, CancellationToken ct) =>
            await containers.StopAsync(id, Query.Seconds(t, "t"), ct) ? Results.NoContent() : Results.StatusCode(StatusCodes.Status304NotModified));

        app.MapPost("/containers/{id}/restart", async (string id, string? t, ContainerService containers, CancellationToken ct) =>
        {
            await containers.RestartAsync(id, Query.Seconds(t, "t"), ct);
            return Results.NoContent();
        });

        app.MapPost("/containers/{id}/kill", async (string id, string? signal, ContainerService containers, CancellationToken ct) =>
        {
            await containers.KillAsync(id, Signals.Parse(signal), ct);
            return Results.NoContent();
        });

        // Docker sends the headers as soon as the waiter is registered and the body at the exit: the docker CLI (and ours)
        // waits for those headers before starting the container, so an early exit cannot be missed.
        app.MapPost("/containers/{id}/wait", async (HttpContext ctx, string id, string? condition, ContainerService containers) =>
        {
            using var stopping = Streaming.UntilStopping(ctx);
            var ct = stopping.Token;
            var wait = await containers.BeginWaitAsync(id, condition, ct);
            await Streaming.SendHeadersAsync(ctx.Response, "application/json", ct);
            try
            {
                var answer = new ContainerWaitResponse { StatusCode = await wait };
                await ctx.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(answer, ApiJsonContext.Default.ContainerWaitResponse), ct);
            }
            catch (OperationCanceledException) { }
        });

        app.MapDelete("/containers/{id}", async (string id, string? force, ContainerService containers, CancellationToken ct) =>
        {
            await containers.RemoveAsync(id, Query.Bool(force), ct);
            return Results.NoContent();
        });

        app.MapGet("/containers/{id}/logs", WriteLogsAsync);
        app.MapPost("/containers/{id}/attach", AttachAsync);
        app.MapPost("/containers/{id}/resize", async (string id, string? h, string? w, ContainerService containers, CancellationToken ct) =>
        {
            await containers.ResizeAsync(id, Query.Int(h, "h"), Query.Int(w, "w"), ct);
            return Results.Ok();
        });
    }

    /// <summary>Docker's log stream: with no TTY, each line is a frame of [stream (1 stdout, 2 stderr), 0, 0, 0,
    /// big-endian uint32 length] followed by the bytes (api/types/stdcopy in moby).</summary>
    private static async Task WriteLogsAsync(HttpContext ctx, string id, ContainerService containers)
    {
        using var stopping = Streaming.UntilStopping(ctx);
        var ct = stopping.Token;
        var q = ctx.Request.Query;
        bool stdout = Query.Bool(q["stdout"]), stderr = Query.Bool(q["stderr"]);
        if (!stdout && !stderr)
            throw EngineException.Invalid("you must choose at least one stream: stdout=1 and/or stderr=1");
        var options = new LogReadOptions
        {
            Follow = Query.Bool(q["follow"]),
            Tail = Query.Tail(q["tail"]),
            Since = Query.UnixTime(q["since"], "since"),
            Until = Query.UnixTime(q["until"], "until"),
        };
        bool timestamps = Query.Bool(q["timestamps"]);
        var (path, stillRunning) = await containers.LogSourceAsync(id, ct);

        await Streaming.SendHeadersAsync(ctx.Response, "application/vnd.docker.multiplexed-stream", ct);
        await WriteFramesAsync(ctx.Response.Body, ContainerLog.ReadAsync(path, options, stillRunning, ct), stdout, stderr, timestamps, options.Follow, ct);
    }

    /// <summary>Docker's attach, as `docker run` without -d uses it before starting the container: the connection is
    /// upgraded (101) and carries the container's output from now until its next exit, in the log stream's frames.</summary>
    private static async Task AttachAsync(HttpContext ctx, string id, ContainerService containers)
    {
        // Not RequestAborted: a client with no stdin to send half-closes the upgraded connection at once (the docker
        // CLI does), which Kestrel reports as an abort. A client that really left is noticed when a write fails.
        var ct = ctx.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
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
        await WriteFramesAsync(stream, ContainerLog.ReadAsync(path, options, () => !exited.IsCompleted, ct), stdout, stderr, false, true, ct);
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
            var input = stdin ? PumpStdinAsync(stream, socket, hold.InputEnded, ct) : Task.CompletedTask;
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
            await Task.WhenAny(input, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
        }
    }

    /// <summary>The client's bytes to the container's stdin, until the client half-closes: then the container's stdin
    /// is closed (shutdown of our sending side; conmon closes the pipe), and its output still flows back.</summary>
    private static async Task PumpStdinAsync(Stream stream, System.Net.Sockets.Socket socket, Task inputEnded, CancellationToken ct)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = stream.ReadAsync(buffer, ct).AsTask();
                if (await Task.WhenAny(read, inputEnded) != read && !read.IsCompleted) break;
                int n = await read;
                if (n == 0) break;
                await socket.SendAsync(buffer.AsMemory(0, n), System.Net.Sockets.SocketFlags.None, ct);
            }
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    /// <summary>One frame of Docker's multiplexed stream: [1 stdout | 2 stderr, 0, 0, 0, big-endian length], bytes.</summary>
    private static async Task WriteFrameAsync(Stream body, LogStream kind, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var header = new byte[8];
        header[0] = kind == LogStream.Stdout ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)bytes.Length);
        await body.WriteAsync(header, ct);
        await body.WriteAsync(bytes, ct);
    }

    private static async Task WriteFramesAsync(
        Stream body, IAsyncEnumerable<LogEntry> entries, bool stdout, bool stderr, bool timestamps, bool flushEach, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            await foreach (var entry in entries)
            {
                if (entry.Stream == LogStream.Stdout ? !stdout : !stderr) continue;
                string text = timestamps ? $"{ContainerMapping.Time(entry.Time)} {entry.Text}\n" : entry.Text + "\n";
                int max = Encoding.UTF8.GetMaxByteCount(text.Length) + 8;
                if (buffer.Length < max) buffer = new byte[max];
                int n = Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 8);
                buffer[0] = entry.Stream == LogStream.Stdout ? (byte)1 : (byte)2;
                buffer[1] = buffer[2] = buffer[3] = 0;
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), (uint)n);
                await body.WriteAsync(buffer.AsMemory(0, n + 8), ct);
                if (flushEach) await body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { } // the client went away
    }
}

/// <summary>Docker's query-string conventions.</summary>
public static class Query
{
    /// <summary>Docker accepts 1/true/True (and treats a present-but-empty value as false).</summary>
    public static bool Bool(string? value) => value is "1" or "true" or "True" or "TRUE";

    public static TimeSpan? Seconds(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (!int.TryParse(value, out int s) || s < -1)
            throw EngineException.Invalid($"{name}={value} is not a number of seconds; give e.g. {name}=10");
        return s == -1 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(s);
    }

    /// <summary>A required whole number.</summary>
    public static int Int(string? value, string name) =>
        int.TryParse(value, out int n) ? n : throw EngineException.Invalid($"{name}={value} is not a number; give e.g. {name}=24");

    /// <summary>"all" or a count of lines.</summary>
    public static int? Tail(string? value)
    {
        if (string.IsNullOrEmpty(value) || value == "all") return null;
        if (!int.TryParse(value, out int n) || n < 0)
            throw EngineException.Invalid($"tail={value} is not a number of lines; give a number or 'all'");
        return n;
    }

    /// <summary>Unix seconds with an optional fraction ("1700000000.123456789"), as the docker CLI sends them.</summary>
    public static DateTimeOffset? UnixTime(string? value, string name)
    {
        if (string.IsNullOrEmpty(value) || value == "0") return null;
        var parts = value.Split('.', 2);
        if (!long.TryParse(parts[0], out long secs) || (parts.Length == 2 && !parts[1].All(char.IsAsciiDigit)))
            throw EngineException.Invalid($"{name}={value} is not a unix time; give seconds since 1970, e.g. {name}=1700000000");
        long nanos = parts.Length == 2 ? long.Parse(parts[1].PadRight(9, '0')[..9]) : 0;
        return DateTimeOffset.FromUnixTimeSeconds(secs).AddTicks(nanos / 100);
    }
}

/// <summary>Signal names as Docker accepts them (KILL, SIGKILL, 9).</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["TERM"] = 15, ["CONT"] = 18, ["STOP"] = 19,
    };

    public static int Parse(string? signal)
    {
        if (string.IsNullOrEmpty(signal)) return 9;
        if (int.TryParse(signal, out int n) && n is > 0 and < 65) return n;
        string name = signal.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? signal[3..] : signal;
        return Names.TryGetValue(name, out n) ? n
            : throw EngineException.Invalid($"signal '{signal}' is unknown; use a name such as TERM or KILL, or a number");
    }
}

/// <summary>The filters of <c>GET /containers/json</c>.</summary>
public static class ContainerFilters
{
    public static Func<ContainerView, bool> Parse(string? filters) => DockerFilters.Parse(filters, "containers", Keys);

    private static readonly Dictionary<string, Func<ContainerView, string, bool>> Keys = new()
    {
        ["id"] = (v, x) => v.Id.StartsWith(x, StringComparison.Ordinal),
        ["name"] = (v, x) => v.Name.Contains(x.TrimStart('/'), StringComparison.Ordinal),
        ["status"] = (v, x) => ContainerMapping.StateWord(v.Record.Phase) == x,
        ["network"] = (v, x) => v.NetworkName == x || v.Record.NetworkId.StartsWith(x, StringComparison.Ordinal),
        ["ancestor"] = (v, x) => v.Record.Image == x || v.Record.ImageId == x || v.Record.ImageId.StartsWith("sha256:" + x, StringComparison.Ordinal),
        ["label"] = (v, x) => DockerFilters.MatchesLabel(v.Spec.Labels, x),
    };
}
