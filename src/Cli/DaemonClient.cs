using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MyDocker.Shared.Api;

namespace MyDocker.Cli;

/// <summary>
/// HTTP/1.1 over the daemon's unix socket. One instance per CLI invocation; not thread-safe to dispose while a
/// call runs. Every call either returns the decoded 2xx answer or throws <see cref="DaemonException"/>.
/// Endpoint wrappers live in partial files by API area (DaemonClient.Networks.cs, ...).
/// </summary>
public sealed partial class DaemonClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _socketPath;

    /// <param name="host">A <c>unix:///path</c> address, see <see cref="DaemonHost.Resolve"/>.</param>
    public DaemonClient(string host)
    {
        Host = host;
        _socketPath = DaemonHost.SocketPath(host);
        var handler = new SocketsHttpHandler
        {
            // No proxy lookup (it reads the environment and would route a socket call to a proxy), no cookies,
            // no decompression: less start-up work for a one-request process.
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
        };
        // The daemon may legitimately take long (pulling, reconciling, later `run` attached): no client timeout,
        // as with the docker CLI.
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The <c>unix:///path</c> address this client talks to.</summary>
    public string Host { get; }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request and returns the raw body of a 2xx answer.</summary>
    /// <param name="path">Path and query, unversioned (the daemon accepts /vX.Y/... and bare paths).</param>
    /// <param name="jsonBody">UTF-8 JSON body, or null for none.</param>
    public Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? jsonBody, CancellationToken ct) =>
        SendAsync(method, path, jsonBody, notModifiedIsSuccess: false, ct);

    /// <param name="notModifiedIsSuccess">Also accept 304, Docker's answer to starting a running container or
    /// stopping a stopped one.</param>
    public async Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? jsonBody, bool notModifiedIsSuccess, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (jsonBody is not null)
        {
            // A byte body gets a Content-Length, not chunked encoding: simplest for any server.
            request.Content = new ByteArrayContent(jsonBody);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        var body = await ReadBodyAsync(response, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !(notModifiedIsSuccess && response.StatusCode == HttpStatusCode.NotModified))
            throw new DaemonException(ErrorMessage((int)response.StatusCode, response.ReasonPhrase, method, path, body), (int)response.StatusCode);
        return body;
    }

    /// <summary>
    /// Sends a request whose answer is a stream (logs, wait): returns as soon as the status line and headers are
    /// in, with the body still to read. The caller disposes the response. An error answer is read whole and thrown
    /// as <see cref="DaemonException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendStreamingAsync(HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        var response = await SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await ErrorOfAsync(response, method, path, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a request; a daemon that cannot be reached becomes the one "is mydockerd running?" error.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>The <see cref="DaemonException"/> for a non-2xx answer, with the daemon's own message.</summary>
    private async Task<DaemonException> ErrorOfAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        var body = await ReadBodyAsync(response, ct).ConfigureAwait(false);
        return new DaemonException(ErrorMessage((int)response.StatusCode, response.ReasonPhrase, method, path, body), (int)response.StatusCode);
    }

    /// <summary>Sends a request and decodes a JSON answer with the source-generated metadata.</summary>
    public async Task<TResponse> SendJsonAsync<TResponse>(HttpMethod method, string path, byte[]? jsonBody, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        var body = await SendAsync(method, path, jsonBody, ct).ConfigureAwait(false);
        return Decode(body, responseType, method, path);
    }

    internal static T Decode<T>(byte[] body, JsonTypeInfo<T> type, HttpMethod method, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new DaemonException($"the daemon answered {method} {path} with an empty body");
        }
        catch (JsonException e)
        {
            throw new DaemonException($"the daemon's answer to {method} {path} is not the expected JSON: {e.Message}", 0, e);
        }
    }

    /// <summary>
    /// The text the user sees for an error answer: the daemon's <c>{"message": ...}</c> when present (Docker's
    /// error body), else the status line and whatever text came with it.
    /// </summary>
    public static string ErrorMessage(int status, string? reason, HttpMethod method, string path, ReadOnlySpan<byte> body)
    {
        if (body.Length > 0 && body[0] == (byte)'{')
        {
            try
            {
                var error = JsonSerializer.Deserialize(body, ApiJsonContext.Default.ErrorResponse);
                if (!string.IsNullOrWhiteSpace(error?.Message)) return error.Message;
            }
            catch (JsonException)
            {
                // Not Docker's error shape: fall through to the raw text.
            }
        }
        var sb = new StringBuilder();
        sb.Append("the daemon answered ").Append(status);
        if (!string.IsNullOrEmpty(reason)) sb.Append(' ').Append(reason);
        sb.Append(" to ").Append(method.Method).Append(' ').Append(path);
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length > 0) sb.Append(": ").Append(text.Length > 500 ? text[..500] + "..." : text);
        return sb.ToString();
    }

    internal DaemonException Unreachable(Exception e)
    {
        if (FindSocketError(e) is SocketError.AccessDenied)
            return new DaemonException($"permission denied while trying to connect to the MyDocker daemon at {Host}: the socket is root-only, run as root", 0, e);
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            return new DaemonException($"cannot connect to the MyDocker daemon at {Host}: is mydockerd running?", 0, e);
        return new DaemonException($"lost the connection to the MyDocker daemon at {Host}: {e.Message}", 0, e);
    }

    private static SocketError? FindSocketError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SocketException s) return s.SocketErrorCode;
        return null;
    }

    public void Dispose() => _http.Dispose();
}
