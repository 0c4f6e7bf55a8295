using System.Net.Sockets;
using System.Text;
using MyDocker.Shared.Api;

namespace MyDocker.Cli;

public sealed partial class DaemonClient
{
    /// <summary>An attached container's stdio: one connection upgraded by the daemon (101), raw in both directions.</summary>
    public sealed class Attachment(Socket socket, bool raw) : IDisposable
    {
        public NetworkStream Stream { get; } = new(socket, ownsSocket: true);
        /// <summary>True for a terminal's raw bytes; false for Docker's multiplexed frames.</summary>
        public bool Raw => raw;
        /// <summary>No more stdin: the daemon closes the container's.</summary>
        public void CloseInput() { try { socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { } }
        public void Dispose() => Stream.Dispose();
    }

    /// <summary>
    /// <c>POST /containers/{id}/attach?stream=1&amp;stdin=1&amp;stdout=1&amp;stderr=1</c> with <c>Upgrade: tcp</c>, written by
    /// hand on its own connection (see <see cref="UpgradeAsync"/>): HttpClient does not hand out the connection of a 101
    /// for writing.
    /// </summary>
    public Task<Attachment> AttachAsync(string id, CancellationToken ct) =>
        UpgradeAsync(ContainerPath(id, "/attach") + "?stream=1&stdin=1&stdout=1&stderr=1", ct);

    /// <summary><c>POST /exec/{id}/start</c>, upgraded the same way: the exec's stdio.</summary>
    public Task<Attachment> StartExecAsync(string execId, CancellationToken ct) =>
        UpgradeAsync("/exec/" + Uri.EscapeDataString(execId) + "/start", ct);

    /// <summary>A bodiless POST to <paramref name="path"/> answered with 101: the connection then carries raw stdio.</summary>
    private async Task<Attachment> UpgradeAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), ct).ConfigureAwait(false);
            string request = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct).ConfigureAwait(false);
            // The head only, byte by byte: what follows it is the container's output and must stay in the socket.
            var head = new List<byte>();
            var one = new byte[1];
            while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
            {
                if (await socket.ReceiveAsync(one, SocketFlags.None, ct).ConfigureAwait(false) == 0)
                    throw new DaemonException($"the daemon closed the connection while answering POST {path}");
                head.Add(one[0]);
                if (head.Count > 64 * 1024) throw new DaemonException($"the daemon's answer to POST {path} has no end of headers");
            }
            string text = Encoding.ASCII.GetString(head.ToArray());
            string[] lines = text.Split("\r\n");
            int status = lines[0].Split(' ') is [_, var code, ..] && int.TryParse(code, out int s) ? s : 0;
            if (status != 101)
                throw new DaemonException(ErrorMessage(status, null, HttpMethod.Post, path, await ReadErrorBodyAsync(socket, lines, ct).ConfigureAwait(false)), status);
            bool raw = lines.Any(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase) && l.Contains(RawStreamContentType, StringComparison.OrdinalIgnoreCase));
            return new Attachment(socket, raw);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DaemonException($"cannot reach the daemon for POST {path}: {e.Message}", 0, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The body of a refused upgrade, by its framing: the daemon keeps the connection alive after an error, so reading
    /// to the end of the stream would wait for its keep-alive timeout (minutes). Content-Length, or chunked (what an
    /// error written by the exception handler is), or else up to the end of the stream.
    /// </summary>
    private static async Task<byte[]> ReadErrorBodyAsync(Socket socket, string[] head, CancellationToken ct)
    {
        string? Header(string name) => head.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim();
        var pending = new List<byte>();
        var buffer = new byte[8192];
        async Task<bool> FillAsync()
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            pending.AddRange(buffer.AsSpan(0, n).ToArray());
            return n > 0;
        }
        async Task<byte[]?> TakeAsync(int count)
        {
            while (pending.Count < count) if (!await FillAsync().ConfigureAwait(false)) return null;
            var taken = pending.GetRange(0, count).ToArray();
            pending.RemoveRange(0, count);
            return taken;
        }
        async Task<string?> LineAsync()
        {
            int end;
            while ((end = pending.IndexOf((byte)'\n')) < 0) if (!await FillAsync().ConfigureAwait(false)) return null;
            return Encoding.ASCII.GetString((await TakeAsync(end + 1).ConfigureAwait(false))!).TrimEnd('\r', '\n');
        }

        const int Max = 64 * 1024;
        if (int.TryParse(Header("Content-Length"), out int length))
            return await TakeAsync(Math.Min(length, Max)).ConfigureAwait(false) ?? pending.ToArray();
        if (Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = new List<byte>();
            while (body.Count < Max && await LineAsync().ConfigureAwait(false) is { } sizeLine
                   && int.TryParse(sizeLine.Split(';')[0], System.Globalization.NumberStyles.HexNumber, null, out int size) && size > 0)
            {
                if (await TakeAsync(size + 2).ConfigureAwait(false) is not { } chunk) break;
                body.AddRange(chunk.AsSpan(0, size).ToArray());
            }
            return body.ToArray();
        }
        while (pending.Count < Max && await FillAsync().ConfigureAwait(false)) { }
        return pending.ToArray();
    }

    /// <summary><c>POST /containers/{id}/resize?h=H&amp;w=W</c>.</summary>
    public Task ResizeAsync(string id, int height, int width, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, ContainerPath(id, "/resize") + $"?h={height}&w={width}", null, ct);

    /// <summary><c>POST /containers/{id}/exec</c>: an exec instance's id.</summary>
    public async Task<string> CreateExecAsync(string id, ExecCreateRequest request, CancellationToken ct)
    {
        var body = await SendAsync(HttpMethod.Post, ContainerPath(id, "/exec"),
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request, ApiJsonContext.Default.ExecCreateRequest), ct).ConfigureAwait(false);
        return System.Text.Json.JsonSerializer.Deserialize(body, ApiJsonContext.Default.ExecCreateResponse)?.Id
               ?? throw new DaemonException("the daemon's answer to exec create has no Id");
    }

    /// <summary><c>POST /exec/{id}/start</c> with <c>{"Detach":true}</c>: the command runs on, nothing is attached.</summary>
    public Task StartExecDetachedAsync(string execId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/exec/" + Uri.EscapeDataString(execId) + "/start",
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ExecStartRequest { Detach = true }, ApiJsonContext.Default.ExecStartRequest), ct);

    /// <summary><c>GET /exec/{id}/json</c>.</summary>
    public async Task<ExecInspect> InspectExecAsync(string execId, CancellationToken ct)
    {
        var body = await SendAsync(HttpMethod.Get, "/exec/" + Uri.EscapeDataString(execId) + "/json", null, ct).ConfigureAwait(false);
        return System.Text.Json.JsonSerializer.Deserialize(body, ApiJsonContext.Default.ExecInspect)
               ?? throw new DaemonException("the daemon's answer to exec inspect is empty");
    }
}
