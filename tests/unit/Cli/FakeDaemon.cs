using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace MyDocker.UnitTests.Cli;

/// <summary>
/// A stand-in for mydockerd: a raw HTTP/1.1 listener on a temporary unix socket that records each request and
/// answers it with the next canned response (Connection: close, one request per connection).
/// </summary>
internal sealed class FakeDaemon : IDisposable
{
    public sealed record Request(string Method, string Path, string Body);
    public sealed record Response(int Status, string Reason, byte[] Body, string ContentType, int ChunkSize, bool HoldOpen = false, bool KeepAlive = false);

    private readonly Socket _listener;
    private readonly ConcurrentQueue<Response> _responses = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _dir;

    public FakeDaemon()
    {
        // Short path: sun_path holds at most 108 bytes.
        _dir = Path.Combine("/tmp", "mdcli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
        SocketPath = Path.Combine(_dir, "d.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }
    public string Host => "unix://" + SocketPath;
    public ConcurrentQueue<Request> Requests { get; } = new();

    public FakeDaemon Answer(int status, string reason, string body = "")
    {
        _responses.Enqueue(new Response(status, reason, Encoding.UTF8.GetBytes(body), "application/json", 0));
        return this;
    }

    /// <summary>Answers with raw bytes (a log stream), sent in pieces of <paramref name="chunkSize"/> bytes when it is
    /// above 0 so the client sees frames split across reads.</summary>
    public FakeDaemon AnswerBytes(byte[] body, string contentType = "application/vnd.docker.multiplexed-stream", int chunkSize = 0)
    {
        _responses.Enqueue(new Response(200, "OK", body, contentType, chunkSize));
        return this;
    }

    /// <summary>
    /// Answers with a stream that sends <paramref name="body"/> and then stays open (no Content-Length, like a
    /// followed log) until the next request arrives: a container that runs until, say, a kill.
    /// </summary>
    public FakeDaemon AnswerOpenStream(byte[] body)
    {
        _responses.Enqueue(new Response(200, "OK", body, "application/vnd.docker.multiplexed-stream", 0, HoldOpen: true));
        return this;
    }

    /// <summary>Answers as Kestrel answers an error to an upgrade request: chunked, and the connection kept alive
    /// (until the fake is disposed), so a client that reads to the end of the stream waits for ever.</summary>
    public FakeDaemon AnswerKeptAlive(int status, string reason, string json)
    {
        _responses.Enqueue(new Response(status, reason, Encoding.UTF8.GetBytes(json), "application/json", 0, KeepAlive: true));
        return this;
    }

    private readonly SemaphoreSlim _arrived = new(0);

    /// <summary>The requests as "METHOD /path?query", in arrival order.</summary>
    public string[] Lines => Requests.Select(r => $"{r.Method} {r.Path}").ToArray();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            // Concurrent, so a held-open stream does not block the next request; answers still go in arrival order.
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await HandleAsync(client); }
                    catch (Exception) when (_stop.IsCancellationRequested) { }
                    catch (SocketException) { } // the client went away (Ctrl-C tests)
                }
            });
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            int n = await client.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
            if (n == 0) return;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        string head = Encoding.ASCII.GetString(buffer.GetRange(0, headerEnd).ToArray());
        string[] lines = head.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        int contentLength = 0;
        foreach (var line in lines)
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                contentLength = int.Parse(line["Content-Length:".Length..].Trim());
        int bodyStart = headerEnd + 4;
        while (buffer.Count < bodyStart + contentLength)
        {
            int n = await client.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
            if (n == 0) break;
            buffer.AddRange(chunk.AsSpan(0, n));
        }
        string body = Encoding.UTF8.GetString(buffer.GetRange(bodyStart, Math.Min(contentLength, buffer.Count - bodyStart)).ToArray());
        Requests.Enqueue(new Request(requestLine[0], requestLine[1], body));
        _arrived.Release();

        var response = _responses.TryDequeue(out var r) ? r
            : new Response(500, "Internal Server Error", "{\"message\":\"no canned response left\"}"u8.ToArray(), "application/json", 0);
        byte[] payload = response.Body;
        if (response.KeepAlive)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {response.Status} {response.Reason}\r\nContent-Type: {response.ContentType}\r\nTransfer-Encoding: chunked\r\n\r\n" +
                $"{payload.Length:x}\r\n{Encoding.UTF8.GetString(payload)}\r\n0\r\n\r\n"), SocketFlags.None, _stop.Token);
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        string length = response.HoldOpen ? "" : $"Content-Length: {payload.Length}\r\n";
        var header = $"HTTP/1.1 {response.Status} {response.Reason}\r\nContent-Type: {response.ContentType}\r\n" +
                     $"{length}Connection: close\r\n\r\n";
        int seen = Requests.Count;
        await client.SendAsync(Encoding.ASCII.GetBytes(header), SocketFlags.None, _stop.Token);
        int step = response.ChunkSize > 0 ? response.ChunkSize : Math.Max(1, payload.Length);
        for (int offset = 0; offset < payload.Length; offset += step)
        {
            await client.SendAsync(payload.AsMemory(offset, Math.Min(step, payload.Length - offset)), SocketFlags.None, _stop.Token);
            if (response.ChunkSize > 0) await Task.Yield();
        }
        if (response.HoldOpen)
        {
            while (Requests.Count <= seen) await _arrived.WaitAsync(_stop.Token);
            _arrived.Release(); // let other held streams see it too
        }
        client.Shutdown(SocketShutdown.Both);
    }

    private static int IndexOfHeaderEnd(List<byte> buffer)
    {
        for (int i = 0; i + 3 < buffer.Count; i++)
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        return -1;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs the CLI in-process with captured output.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static Task<Result> RunAsync(string? host, params string[] args) => RunWithEnvAsync(host, new Dictionary<string, string?>(), args);

    public static Task<Result> RunWithEnvAsync(string? host, Dictionary<string, string?> env, params string[] args) =>
        RunCancellableAsync(host, env, CancellationToken.None, args);

    /// <summary>Runs with <paramref name="cancel"/> as the Ctrl-C token.</summary>
    public static async Task<Result> RunCancellableAsync(string? host, Dictionary<string, string?> env, CancellationToken cancel, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        if (host is not null) env["MYDOCKER_HOST"] = host;
        int code = await MyDocker.Cli.CliApp.RunAsync(args, stdout, stderr, name => env.GetValueOrDefault(name), cancel);
        return new Result(code, stdout.ToString(), stderr.ToString());
    }
}
