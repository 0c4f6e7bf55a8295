using System.Text.Json;
using MyDocker.Engine;
using MyDocker.Engine.Events;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: GET /events — stored events since <c>since</c>, then live ones (unless <c>until</c> is
/// given), one JSON object per line.</summary>
public static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/events", async (HttpContext ctx, string? since, string? until, string? filters, EventHub hub) =>
        {
            var from = Query.UnixTime(since, "since");
            var to = Query.UnixTime(until, "until");
            var match = Parse(filters);
            long? fromNano = from is { } f ? (f - DateTimeOffset.UnixEpoch).Ticks * 100 : null;
            long? toNano = to is { } t ? (t - DateTimeOffset.UnixEpoch).Ticks * 100 : null;
            using var sub = hub.Subscribe(fromNano);
            // A client that stops reading blocks our writes; when the hub drops it for falling behind, the write waiting
            // on it is cancelled too and the response ends (the client sees the stream close and may resume with since=).
            using var stopping = Streaming.UntilStopping(ctx);
            using var dropped = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, sub.Dropped);
            var ct = dropped.Token;
            await Streaming.SendHeadersAsync(ctx.Response, "application/json", ct);

            async Task<bool> Send(EventRow row)
            {
                if (toNano is long end && row.TimeNano > end) return false;
                if (!match(row)) return true;
                await ctx.Response.WriteAsync(JsonSerializer.Serialize(ToMessage(row), ApiJsonContext.Default.EventMessage) + "\n", ct);
                await ctx.Response.Body.FlushAsync(ct);
                return true;
            }

            try
            {
                foreach (var row in sub.History) if (!await Send(row)) return;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (to is { } u) stop.CancelAfter(u - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero);
                await foreach (var row in sub.Live.ReadAllAsync(stop.Token))
                    if (!await Send(row)) return;
            }
            catch (Exception e) when (e is OperationCanceledException or SubscriberDroppedException && sub.Dropped.IsCancellationRequested)
            {
                // Disconnect: what is queued for a reader that stopped would never drain anyway.
                ctx.Abort();
            }
            catch (OperationCanceledException) { }
        });
    }

    public static EventMessage ToMessage(EventRow row)
    {
        var attributes = EventHub.Attributes(row);
        return new EventMessage
        {
            Type = row.Type, Action = row.Action,
            Actor = new EventActor { ID = row.ActorId, Attributes = new Dictionary<string, string>(attributes) },
            Time = row.TimeNano / 1_000_000_000, TimeNano = row.TimeNano,
            Status = row.Type == "container" ? row.Action : null,
            Id = row.Type == "container" ? row.ActorId : null,
            From = row.Type == "container" && attributes.TryGetValue("image", out var image) ? image : null,
        };
    }

    /// <summary>Docker's event filters.</summary>
    private static Func<EventRow, bool> Parse(string? filters) => DockerFilters.Parse(filters, "events", Keys);

    private static readonly Dictionary<string, Func<EventRow, string, bool>> Keys = new()
    {
        ["type"] = (e, x) => e.Type == x,
        ["event"] = (e, x) => e.Action == x,
        ["container"] = (e, x) => e.Type == "container" && (e.ActorId.StartsWith(x, StringComparison.Ordinal) || EventHub.Attributes(e).GetValueOrDefault("name") == x),
        ["network"] = (e, x) => e.Type == "network" && (e.ActorId.StartsWith(x, StringComparison.Ordinal) || EventHub.Attributes(e).GetValueOrDefault("name") == x),
        ["image"] = (e, x) => EventHub.Attributes(e).GetValueOrDefault("image") == x,
    };
}
