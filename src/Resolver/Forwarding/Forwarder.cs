using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MyDocker.Resolver.Names;
using MyDocker.Resolver.Wire;

namespace MyDocker.Resolver.Forwarding;

/// <summary>
/// Asks a name the resolver does not hold of the asker's upstreams (its own <c>--dns</c>, else the host's), one after
/// another: each gets ~1 s, a refused or unreachable one is skipped at once, and after the last the client gets
/// SERVFAIL, so a dead upstream costs the client one SERVFAIL in bounded time, not a hang. Every attempt uses a new
/// socket (a random source port from the kernel) and a random id, and only an answer with that id and the same
/// question is taken (RFC 5452 §4, §9.1). No cache: every answer comes from upstream. Thread-safe.
/// </summary>
/// <param name="perServer">How long one server gets (~1 s, as glibc's first try; tests make it shorter).</param>
/// <param name="port">The upstreams' port: 53 (tests use another on loopback).</param>
public sealed class Forwarder(HostNameServers host, Action<string> log, TimeSpan? perServer = null, int port = 53)
{
    /// <summary>More queries in flight than this get SERVFAIL at once: a flood must not open sockets without bound.</summary>
    public const int MaxPending = 1024;

    private const long NoServerLogEveryMs = 60_000;
    private readonly TimeSpan _perServer = perServer ?? TimeSpan.FromSeconds(1);
    private int _pending;
    private long _lastNoServerLog = -NoServerLogEveryMs;

    /// <summary>
    /// The reply to send the client for <paramref name="query"/> (a valid query, the client's id in it): an upstream's
    /// answer with the client's id put back, or SERVFAIL. Never throws for network trouble.
    /// </summary>
    /// <param name="overTcp">The client asked over TCP: an answer the upstream truncated (TC) is asked again over TCP
    /// within the same server's time. A UDP client gets the truncated answer as it is and retries over TCP itself
    /// (RFC 7766 §5), reaching the TCP path here.</param>
    public async Task<byte[]> ResolveAsync(byte[] query, Asker asker, bool overTcp)
    {
        var servers = asker.Upstreams.Count > 0 ? asker.Upstreams : host.Current();
        if (servers.Count == 0)
        {
            NoServers();
            return Failure(query);
        }
        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            return Failure(query);
        }
        try
        {
            var question = QuestionEnd(query);
            foreach (var server in servers)
            {
                using var timeout = new CancellationTokenSource(_perServer);
                try
                {
                    var answer = await AskUdpAsync(server, query, question, timeout.Token);
                    if (answer is null) continue;
                    if (overTcp && (answer[2] & 0x02) != 0) answer = await AskTcpAsync(server, query, question, timeout.Token) ?? answer;
                    BinaryPrimitives.WriteUInt16BigEndian(answer, BinaryPrimitives.ReadUInt16BigEndian(query));
                    return answer;
                }
                catch (OperationCanceledException)
                {
                    // this server's time is up: the next one
                }
                catch (SocketException e)
                {
                    // ICMP port or host unreachable (ECONNREFUSED, EHOSTUNREACH), no route: the next one at once
                    if (e.SocketErrorCode is not (SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable))
                        log($"upstream {server}: {e.SocketErrorCode}");
                }
            }
            return Failure(query);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task<byte[]?> AskUdpAsync(IPAddress server, byte[] query, int questionEnd, CancellationToken cancel)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // connect(2) before sending: the kernel picks a random ephemeral source port (RFC 5452 §9.2; Linux randomizes
        // the port search start) and drops datagrams from any other address and port.
        socket.Connect(new IPEndPoint(server, port));
        var id = NewId();
        var sent = (byte[])query.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(sent, id);
        await socket.SendAsync(sent, SocketFlags.None, cancel);
        // Room for the largest datagram, so an answer is never cut; pooled, as every forwarded query needs one.
        var buffer = ArrayPool<byte>.Shared.Rent(ushort.MaxValue);
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel);
                if (Matches(buffer.AsSpan(0, length), id, query, questionEnd)) return buffer[..length];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<byte[]?> AskTcpAsync(IPAddress server, byte[] query, int questionEnd, CancellationToken cancel)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(server, port), cancel);
        using var stream = new NetworkStream(socket);
        var id = NewId();
        var sent = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(sent, (ushort)query.Length);
        query.CopyTo(sent, 2);
        BinaryPrimitives.WriteUInt16BigEndian(sent.AsSpan(2), id);
        await stream.WriteAsync(sent, cancel);
        var answer = await TcpFraming.ReadMessageAsync(stream, cancel);
        return answer is not null && Matches(answer, id, query, questionEnd) ? answer : null;
    }

    /// <summary>Our id, a response, one question, and the question as asked (names compared in any case: a server may
    /// echo it with other case, RFC 4343).</summary>
    private static bool Matches(ReadOnlySpan<byte> answer, ushort id, ReadOnlySpan<byte> query, int questionEnd) =>
        answer.Length >= questionEnd
        && BinaryPrimitives.ReadUInt16BigEndian(answer) == id
        && (answer[2] & 0x80) != 0
        && BinaryPrimitives.ReadUInt16BigEndian(answer[4..]) == 1
        && Ascii.EqualsIgnoreCase(answer[DnsLimits.HeaderLength..questionEnd], query[DnsLimits.HeaderLength..questionEnd]);

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);

    private static int QuestionEnd(byte[] query)
    {
        Span<char> name = stackalloc char[DnsLimits.MaxTextName];
        var parsed = DnsQuery.Parse(query, name);
        if (parsed.Status != QueryStatus.Valid) throw new ArgumentException($"only a valid query is forwarded, not one parsed as {parsed.Status}", nameof(query));
        return parsed.QuestionEnd;
    }

    /// <summary>SERVFAIL with the question (the client's id kept).</summary>
    private static byte[] Failure(byte[] query)
    {
        var reply = new byte[Math.Max(query.Length, DnsLimits.MaxUdpMessage)];
        query.CopyTo(reply, 0);
        Span<char> name = stackalloc char[DnsLimits.MaxTextName];
        var parsed = DnsQuery.Parse(query, name);
        return reply[..DnsReply.WriteNoAnswer(reply, parsed, DnsRcode.ServFail)];
    }

    private void NoServers()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastNoServerLog);
        if (now - last < NoServerLogEveryMs || Interlocked.CompareExchange(ref _lastNoServerLog, now, last) != last) return;
        log($"no upstream name server (the container gave no --dns and {host.Path} lists none that is not loopback): unknown names get SERVFAIL");
    }
}
