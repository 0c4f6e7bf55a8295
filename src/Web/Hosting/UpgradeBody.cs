using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MyDocker.Web.Hosting;

/// <summary>
/// Lets Docker's exec start be upgraded. The docker CLI sends <c>POST /exec/ID/start</c> with <c>Upgrade: tcp</c> and a
/// small JSON body ({"Detach":false,"Tty":...,"ConsoleSize":[h,w]}), and Kestrel offers no upgrade to a request with a
/// body (IHttpUpgradeFeature.IsUpgradableRequest is false), so the CLI would get no 101. Everything in that body is
/// known already (Tty from the exec instance, ConsoleSize from the resize that follows), so on the first request of a
/// connection — the CLI dials a fresh one to hijack it — such a body is dropped, with its Content-Length, before
/// Kestrel parses the request. Any other request passes through untouched.
/// </summary>
public static class UpgradeBody
{
    public static ListenOptions UseExecStartUpgrade(this ListenOptions listen)
    {
        listen.Use(next => connection =>
        {
            var pipe = new Pipe();
            _ = PumpAsync(connection.Transport.Input, pipe.Writer);
            connection.Transport = new Duplex(pipe.Reader, connection.Transport.Output);
            return next(connection);
        });
        return listen;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }

    private static async Task PumpAsync(PipeReader from, PipeWriter to)
    {
        bool first = true;
        try
        {
            while (true)
            {
                var result = await from.ReadAsync();
                var buffer = result.Buffer;
                if (first)
                {
                    var head = HeadLength(buffer);
                    if (head < 0 && !result.IsCompleted && buffer.Length < 64 * 1024)
                    {
                        from.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    first = false;
                    if (head > 0 && ExecStartBody(buffer.Slice(0, head)) is { } rewrite)
                    {
                        long whole = head + rewrite.BodyLength;
                        if (buffer.Length < whole && !result.IsCompleted)
                        {
                            first = true; // wait for the whole body
                            from.AdvanceTo(buffer.Start, buffer.End);
                            continue;
                        }
                        await to.WriteAsync(rewrite.Head);
                        buffer = buffer.Slice(Math.Min(whole, buffer.Length));
                    }
                }
                foreach (var segment in buffer) await to.WriteAsync(segment);
                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or InvalidOperationException or OperationCanceledException) { }
        await to.CompleteAsync();
        await from.CompleteAsync();
    }

    /// <summary>Bytes up to and including the blank line ending the head, or -1.</summary>
    private static long HeadLength(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8, advancePastDelimiter: true) ? reader.Consumed : -1;
    }

    private sealed record Rewrite(byte[] Head, long BodyLength);

    /// <summary>For "POST [/vX.Y]/exec/ID/start" with Upgrade and a body: the head without its Content-Length.</summary>
    private static Rewrite? ExecStartBody(ReadOnlySequence<byte> headBytes)
    {
        string head = Encoding.Latin1.GetString(headBytes);
        var lines = head.Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3 || request[0] != "POST") return null;
        string path = request[1].Split('?')[0];
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 0 && parts[0].StartsWith("v", StringComparison.Ordinal) && parts[0].Contains('.')) parts = parts[1..];
        if (parts is not ["exec", _, "start"]) return null;
        bool upgrade = lines.Any(l => l.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase));
        var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (!upgrade || length is null || !long.TryParse(length["Content-Length:".Length..].Trim(), out long n) || n <= 0 || n > 64 * 1024)
            return null;
        string rewritten = string.Join("\r\n", lines.Where(l => l != length));
        return new Rewrite(Encoding.Latin1.GetBytes(rewritten), n);
    }
}
