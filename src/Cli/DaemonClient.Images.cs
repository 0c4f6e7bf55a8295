using System.Text;
using System.Text.Json;
using MyDocker.Shared.Api;

namespace MyDocker.Cli;

public sealed partial class DaemonClient
{
    /// <summary>An image reference in a path: ':' escaped, '/' kept (the daemon routes /images/NAME/json on the last segment, like Docker).</summary>
    private static string ImagePath(string name) => Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal);

    /// <summary><c>GET /images/json</c>, the raw JSON array.</summary>
    public Task<byte[]> ListImagesRawAsync(CancellationToken ct) => SendAsync(HttpMethod.Get, "/images/json", null, ct);

    /// <summary><c>GET /images/{name}/json</c>, the raw JSON object.</summary>
    public Task<byte[]> InspectImageRawAsync(string name, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, "/images/" + ImagePath(name) + "/json", null, ct);

    /// <summary><c>DELETE /images/{name}</c>: what was untagged and deleted.</summary>
    public Task<List<ImageDeleteResponseItem>> RemoveImageAsync(string name, bool force, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Delete, "/images/" + ImagePath(name) + (force ? "?force=1" : ""), null,
            ApiJsonContext.Default.ListImageDeleteResponseItem, ct);

    /// <summary><c>POST /images/load</c> with the archive as the body; each message is passed to <paramref name="onMessage"/>.</summary>
    public Task LoadImagesAsync(Stream archive, Action<JsonMessage> onMessage, CancellationToken ct) =>
        StreamUploadAsync("/images/load", archive, onMessage, ct);

    /// <summary><c>POST /images/create?fromSrc=-</c> (docker import) with the rootfs tarball as the body.</summary>
    public Task ImportImageAsync(Stream rootfs, string reference, Action<JsonMessage> onMessage, CancellationToken ct) =>
        StreamUploadAsync("/images/create?fromSrc=-&repo=" + Uri.EscapeDataString(reference), rootfs, onMessage, ct);

    /// <summary>
    /// Sends a tarball and reads Docker's JSON-lines progress answer. An in-stream error message (status 200 already
    /// sent) becomes a <see cref="DaemonException"/>, like an error status does.
    /// </summary>
    private async Task StreamUploadAsync(string path, Stream body, Action<JsonMessage> onMessage, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StreamContent(body, 81920) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-tar");
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await ErrorOfAsync(response, HttpMethod.Post, path, ct).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), Encoding.UTF8);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonMessage? message;
            try { message = JsonSerializer.Deserialize(line, ApiJsonContext.Default.JsonMessage); }
            catch (JsonException e) { throw new DaemonException($"the daemon's answer to POST {path} is not a JSON message stream: {e.Message}", 0, e); }
            if (message is null) continue;
            if (message.ErrorDetail is { } detail) throw new DaemonException(detail.Message, (int)response.StatusCode);
            if (!string.IsNullOrEmpty(message.Error)) throw new DaemonException(message.Error, (int)response.StatusCode);
            onMessage(message);
        }
    }
}
