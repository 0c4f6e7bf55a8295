using System.Net;
using System.Net.Sockets;
using MyDocker.Resolver.Forwarding;
using MyDocker.Resolver.Records;
using MyDocker.Resolver.Wire;

namespace MyDocker.Resolver.Serving;

/// <summary>
/// DNS over TCP on the listen address (RFC 7766: a resolver must take it; clients retry over TCP after a truncated
/// answer). Rare next to UDP, so async per connection on the thread pool; queries on one connection are answered in order.
/// </summary>
public sealed class TcpServer(Socket listener, ContainerTable table, Forwarder forwarder, Action<string> log)
{
    /// <summary>A connection with no query for this long is closed (RFC 7766 §6.2.3 suggests seconds, not minutes).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    public void Run()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.Interrupted)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            var source = client.RemoteEndPoint is IPEndPoint { Address: var address } ? Names.ResolverName.ToHostOrder(address) : 0;
            while (true)
            {
                using var idle = new CancellationTokenSource(Idle);
                var query = await TcpFraming.ReadMessageAsync(stream, idle.Token);
                if (query is null) return;
                var reply = await AnswerAsync(query, source);
                if (reply is not null) await TcpFraming.WriteMessageAsync(stream, reply, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // the client went away or sat idle
        }
        catch (Exception e)
        {
            log($"tcp client failed: {e}");
        }
    }

    private async Task<byte[]?> AnswerAsync(byte[] query, uint source)
    {
        // Respond builds its reply in place and needs room for the largest UDP-sized reply.
        var buffer = new byte[Math.Max(query.Length, DnsLimits.MaxUdpMessage)];
        query.CopyTo(buffer, 0);
        return Responder.Respond(buffer, query.Length, source, table.Names.Current, out var length, out var asker) switch
        {
            Verdict.Reply => buffer[..length],
            Verdict.Forward => await forwarder.ResolveAsync(query, asker!, overTcp: true),
            _ => null,
        };
    }
}
