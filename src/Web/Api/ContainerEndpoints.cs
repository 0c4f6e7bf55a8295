using System.Text;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Logs;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: /containers.</summary>
public static partial class ContainerEndpoints
{
    public static void MapContainerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/containers/create", async (string? name, HttpRequest request, ContainerService containers, CancellationToken ct) =>
        {
            var body = await request.ReadFromJsonAsync(ApiJsonContext.Default.ContainerCreateRequest, ct)
                       ?? throw EngineException.Invalid("request body is empty; send a JSON object with at least an Image");
            var spec = ContainerMapping.ToSpec(name, body, ApiVersioning.RequestedVersion(request.HttpContext));
            var view = await containers.CreateAsync(spec, ct);
            return Results.Json(new ContainerCreateResponse { Id = view.Id, Warnings = containers.CreateWarnings(spec) }, ApiJsonContext.Default.ContainerCreateResponse,
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

    /// <summary>Docker's log stream: with no TTY, each line (or piece of a long one, see <see cref="LogLine.Partial"/>)
    /// is a frame of [stream (1 stdout, 2 stderr), 0, 0, 0, big-endian uint32 length] followed by the bytes
    /// (api/types/stdcopy in moby).</summary>
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
        var log = new ContainerLogReader(path, id);
        await WriteFramesAsync(ctx.Response.Body, log.ReadAsync(options, stillRunning, ct), stdout, stderr, timestamps, options.Follow, ct);
    }

    private static async Task WriteFramesAsync(
        Stream body, IAsyncEnumerable<LogLine> entries, bool stdout, bool stderr, bool timestamps, bool flushEach, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        // Per stream: a line was begun and not ended (a long line comes in pieces): its next piece gets no timestamp,
        // so that the output is the container's bytes with one timestamp per line.
        var midLine = new bool[2];
        try
        {
            await foreach (var entry in entries)
            {
                if (entry.Stream == LogStream.Stdout ? !stdout : !stderr) continue;
                string prefix = timestamps && !midLine[(int)entry.Stream] ? ContainerMapping.Time(entry.Time) + " " : "";
                string text = entry.Partial ? prefix + entry.Text : prefix + entry.Text + "\n";
                midLine[(int)entry.Stream] = entry.Partial;
                int max = Encoding.UTF8.GetMaxByteCount(text.Length) + FrameHeaderSize;
                if (buffer.Length < max) buffer = new byte[max];
                int n = Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, FrameHeaderSize);
                WriteFrameHeader(buffer, entry.Stream, n);
                await body.WriteAsync(buffer.AsMemory(0, n + FrameHeaderSize), ct);
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

    /// <summary>Docker's stop/restart timeout: a negative number waits for ever (moby daemon/stop.go), and one beyond
    /// what the engine can wait (<see cref="ContainerService.MaxStopTimeout"/>) is clamped to it rather than refused.</summary>
    public static TimeSpan? Seconds(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) return null;
        string digits = value.StartsWith('-') ? value[1..] : value;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            throw EngineException.Invalid($"{name}={value} is not a number of seconds; give e.g. {name}=10");
        if (value.StartsWith('-')) return digits.All(c => c == '0') ? TimeSpan.Zero : Timeout.InfiniteTimeSpan;
        var max = (long)ContainerService.MaxStopTimeout.TotalSeconds;
        return long.TryParse(digits, out long s) && s < max ? TimeSpan.FromSeconds(s) : ContainerService.MaxStopTimeout;
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
        ["status"] = (v, x) => ContainerStatusText.StateWord(v.Container.Phase) == x,
        ["network"] = (v, x) => v.Container.Endpoints.Any(e => v.NetworkOf(e.NetworkId)?.Name == x || e.NetworkId.StartsWith(x, StringComparison.Ordinal)),
        ["ancestor"] = (v, x) => v.Container.Image == x || v.Container.ImageId == x || v.Container.ImageId.StartsWith("sha256:" + x, StringComparison.Ordinal),
        ["label"] = (v, x) => DockerFilters.MatchesLabel(v.Spec.Labels, x),
    };
}
