using System.Globalization;
using System.Text;
using System.Text.Json;
using MyDocker.Cli.Streams;
using MyDocker.Shared.Api;

namespace MyDocker.Cli;

/// <summary>What <c>logs</c> asks for; maps to the query of <c>GET /containers/{id}/logs</c>.</summary>
public sealed record LogsOptions(bool Follow = false, string? Tail = null, bool Timestamps = false);

public sealed partial class DaemonClient
{
    /// <summary>Docker's content type for a TTY container's logs: raw bytes, no frames.</summary>
    public const string RawStreamContentType = "application/vnd.docker.raw-stream";

    /// <summary><c>POST /containers/create?name=NAME</c> (no name: the daemon picks one).</summary>
    public Task<ContainerCreateResponse> CreateContainerAsync(ContainerCreateRequest request, string? name, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post,
            name is null ? "/containers/create" : "/containers/create?name=" + Uri.EscapeDataString(name),
            JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.ContainerCreateRequest),
            ApiJsonContext.Default.ContainerCreateResponse, ct);

    /// <summary><c>POST /containers/{id}/start</c>; a running container (304) is success.</summary>
    public Task StartContainerAsync(string idOrName, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ContainerPath(idOrName, "/start"), null, notModifiedIsSuccess: true, ct);

    /// <summary><c>POST /containers/{id}/stop[?t=SECS]</c>; a stopped container (304) is success.</summary>
    public Task StopContainerAsync(string idOrName, int? timeoutSeconds, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ContainerPath(idOrName, "/stop") + Query(("t", timeoutSeconds?.ToString(CultureInfo.InvariantCulture))),
            null, notModifiedIsSuccess: true, ct);

    /// <summary><c>POST /containers/{id}/restart[?t=SECS]</c>.</summary>
    public Task RestartContainerAsync(string idOrName, int? timeoutSeconds, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ContainerPath(idOrName, "/restart") + Query(("t", timeoutSeconds?.ToString(CultureInfo.InvariantCulture))), null, ct);

    /// <summary><c>POST /containers/{id}/kill[?signal=SIG]</c> (no signal: the daemon sends SIGKILL).</summary>
    public Task KillContainerAsync(string idOrName, string? signal, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ContainerPath(idOrName, "/kill") + Query(("signal", signal)), null, ct);

    /// <summary><c>DELETE /containers/{id}[?force=1]</c>.</summary>
    public Task RemoveContainerAsync(string idOrName, bool force, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, ContainerPath(idOrName, "") + Query(("force", force ? "1" : null)), null, ct);

    /// <summary><c>GET /containers/json[?all=1][&amp;filters=JSON]</c>, the raw JSON array.</summary>
    public Task<byte[]> ListContainersRawAsync(bool all, string? filtersJson, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "/containers/json" + Query(("all", all ? "1" : null), ("filters", filtersJson)), null, ct);

    /// <summary><c>GET /containers/{id}/json</c>, the raw JSON object (kept raw so inspect loses no field).</summary>
    public Task<byte[]> InspectContainerRawAsync(string idOrName, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, ContainerPath(idOrName, "/json"), null, ct);

    /// <summary><c>POST /containers/{id}/wait[?condition=...]</c>, waited to the end.</summary>
    public async Task<ContainerWaitResponse> WaitContainerAsync(string idOrName, string? condition, CancellationToken ct)
    {
        using var pending = await BeginWaitAsync(idOrName, condition, ct).ConfigureAwait(false);
        return await pending.ResultAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <c>POST /containers/{id}/wait?condition=...</c> and returns once the daemon has answered with its
    /// headers, which Docker sends as soon as the waiter is registered, before the container exits. Starting the
    /// container only after this returns means its exit cannot be missed. The answer's body (the exit code) is read
    /// by <see cref="PendingWait.ResultAsync"/>.
    /// </summary>
    public async Task<PendingWait> BeginWaitAsync(string idOrName, string? condition, CancellationToken ct)
    {
        string path = ContainerPath(idOrName, "/wait") + Query(("condition", condition));
        var response = await SendStreamingAsync(HttpMethod.Post, path, ct).ConfigureAwait(false);
        return new PendingWait(this, response, path);
    }

    /// <summary>
    /// <c>GET /containers/{id}/logs?stdout=1&amp;stderr=1[&amp;follow=1][&amp;tail=N][&amp;timestamps=1]</c>, copied to the
    /// writers as it arrives (stdout frames to <paramref name="stdout"/>, stderr frames to <paramref name="stderr"/>).
    /// With <see cref="LogsOptions.Follow"/> it returns when the daemon ends the stream (the container stopped) or
    /// throws <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task StreamLogsAsync(string idOrName, LogsOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        string path = ContainerPath(idOrName, "/logs") + Query(
            ("stdout", "1"), ("stderr", "1"),
            ("follow", options.Follow ? "1" : null),
            ("tail", options.Tail),
            ("timestamps", options.Timestamps ? "1" : null));
        using var response = await SendStreamingAsync(HttpMethod.Get, path, ct).ConfigureAwait(false);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            if (response.Content.Headers.ContentType?.MediaType == RawStreamContentType)
                await MultiplexedStreamReader.CopyRawAsync(body, stdout, ct).ConfigureAwait(false);
            else
                await MultiplexedStreamReader.CopyAsync(body, stdout, stderr, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // Ctrl-C may surface as a broken read rather than a cancellation: report it as the cancellation it is.
            if (ct.IsCancellationRequested) throw new OperationCanceledException(ct);
            throw Unreachable(e);
        }
    }

    private static string ContainerPath(string idOrName, string suffix) => "/containers/" + Uri.EscapeDataString(idOrName) + suffix;

    /// <summary><c>?a=1&amp;b=2</c> from the pairs whose value is not null, escaped; "" when none.</summary>
    internal static string Query(params (string Name, string? Value)[] pairs)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (value is null) continue;
            sb.Append(sb.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        return sb.ToString();
    }

    /// <summary>A wait request whose headers arrived; its body comes when the condition is met. Dispose to abandon it.</summary>
    public sealed class PendingWait : IDisposable
    {
        private readonly DaemonClient _client;
        private readonly HttpResponseMessage _response;
        private readonly string _path;

        internal PendingWait(DaemonClient client, HttpResponseMessage response, string path)
        {
            _client = client;
            _response = response;
            _path = path;
        }

        /// <summary>Reads the answer: blocks until the container meets the condition.</summary>
        public async Task<ContainerWaitResponse> ResultAsync(CancellationToken ct)
        {
            byte[] body;
            try
            {
                body = await _response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                if (ct.IsCancellationRequested) throw new OperationCanceledException(ct);
                throw _client.Unreachable(e);
            }
            return Decode(body, ApiJsonContext.Default.ContainerWaitResponse, HttpMethod.Post, _path);
        }

        public void Dispose() => _response.Dispose();
    }
}
