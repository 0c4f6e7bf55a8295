using System.Text.Json;
using MyDocker.Engine;
using MyDocker.Engine.Events;
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

            async Task<bool> Send(EngineEvent e)
            {
                if (toNano is long end && e.TimeNano > end) return false;
                if (!match(e)) return true;
                await ctx.Response.WriteAsync(JsonSerializer.Serialize(ToMessage(e), ApiJsonContext.Default.EventMessage) + "\n", ct);
                await ctx.Response.Body.FlushAsync(ct);
                return true;
            }

            try
            {
                foreach (var e in sub.History) if (!await Send(e)) return;
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (to is { } u) stop.CancelAfter(u - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero);
                await foreach (var e in sub.Live.ReadAllAsync(stop.Token))
                    if (!await Send(e)) return;
            }
            catch (Exception e) when (e is OperationCanceledException or SubscriberDroppedException && sub.Dropped.IsCancellationRequested)
            {
                // Disconnect: what is queued for a reader that stopped would never drain anyway.
                ctx.Abort();
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>Docker's event JSON. Container events also carry the fields of Docker's old format (status, id, from),
    /// as dockerd still sends them.</summary>
    public static EventMessage ToMessage(EngineEvent e)
    {
        bool container = e.Kind == EventKind.Container;
        return new EventMessage
        {
            Type = EventWords.Of(e.Kind), Action = EventWords.Action(e),
            Actor = new EventActor { ID = e.ActorId, Attributes = new Dictionary<string, string>(e.Attributes) },
            Time = e.TimeNano / 1_000_000_000, TimeNano = e.TimeNano,
            Status = container ? EventWords.Action(e) : null,
            Id = container ? e.ActorId : null,
            From = container ? e.Image : null,
        };
    }

    /// <summary>Docker's event filters.</summary>
    private static Func<EngineEvent, bool> Parse(string? filters) => DockerFilters.Parse(filters, "events", Keys);

    private static readonly Dictionary<string, Func<EngineEvent, string, bool>> Keys = new()
    {
        ["type"] = (e, x) => EventWords.Of(e.Kind) == x,
        ["event"] = (e, x) => EventWords.Action(e) == x,
        ["container"] = (e, x) => e.Kind == EventKind.Container && (e.ActorId.StartsWith(x, StringComparison.Ordinal) || e.Name == x),
        ["network"] = (e, x) => e.Kind == EventKind.Network && (e.ActorId.StartsWith(x, StringComparison.Ordinal) || e.Name == x),
        ["image"] = (e, x) => e.Image == x,
    };
}
