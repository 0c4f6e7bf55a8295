using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MyDocker.Resolver.Forwarding;
using MyDocker.Resolver.Names;
using MyDocker.Resolver.Records;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The forwarder against stand-in upstreams on loopback addresses (127.0.0.0/8 is all on lo; nothing leaves).</summary>
public sealed class ForwarderTests : IDisposable
{
    private static readonly IPAddress First = IPAddress.Parse("127.0.0.1"), Second = IPAddress.Parse("127.0.0.2");
    private readonly List<IDisposable> _owned = [];
    private readonly Socket _firstUdp, _secondUdp;
    private readonly int _port;

    public ForwarderTests()
    {
        _firstUdp = Own(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        _firstUdp.Bind(new IPEndPoint(First, 0));
        _port = ((IPEndPoint)_firstUdp.LocalEndPoint!).Port;
        _secondUdp = Own(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        _secondUdp.Bind(new IPEndPoint(Second, _port));
    }

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private Forwarder NewForwarder(int perServerMs = 200) =>
        new(new HostNameServers("/nonexistent/resolv.conf", _ => { }), _ => { }, TimeSpan.FromMilliseconds(perServerMs), _port);

    private static Asker AskerWith(params IPAddress[] dns)
    {
        var table = new ContainerTable();
        table.Put(new ContainerRecord("c1", [new ContainerEndpoint("n1", IPAddress.Parse("10.1.0.2"), ["web"], false)], dns, []));
        return table.Names.Current.AskerOf(Address("10.1.0.2"))!;
    }

    /// <summary>The query as the upstream got it, answered by <paramref name="answer"/> (which gets the query's bytes).</summary>
    private static Task<byte[]> Upstream(Socket socket, Func<byte[], IEnumerable<byte[]>> answer) => Task.Run(() =>
    {
        var buffer = new byte[512];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        var length = socket.ReceiveFrom(buffer, ref from);
        var query = buffer[..length];
        foreach (var reply in answer(query)) socket.SendTo(reply, from);
        return query;
    });

    /// <summary><paramref name="query"/> turned into a response with one A record 203.0.113.<paramref name="last"/>; flags given.</summary>
    private static byte[] Answer(byte[] query, ushort flags = 0x8180, ushort? id = null, byte last = 9)
    {
        var reply = query.Concat(Hex("c0 0c 00 01 00 01 00 00 00 3c 00 04 cb 00 71").Append(last)).ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), 1);
        if (id is { } other) BinaryPrimitives.WriteUInt16BigEndian(reply, other);
        return reply;
    }

    [Fact]
    public async Task Only_an_answer_with_our_id_and_question_is_taken_and_the_client_gets_its_own_id_back()
    {
        var upstream = Upstream(_firstUdp, query =>
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(query);
            var otherQuestion = Answer(QueryBytes("other.example"));
            BinaryPrimitives.WriteUInt16BigEndian(otherQuestion, id);
            return [Answer(query, id: (ushort)(id + 1), last: 66), otherQuestion, Answer(query)];   // a spoof, a stale answer, ours
        });

        var answer = await NewForwarder().ResolveAsync(QueryBytes("example.com"), AskerWith(First), overTcp: false);

        Assert.Equal(ToHex(Answer(QueryBytes("example.com"))), ToHex(answer));
        Assert.Equal(ToHex(QueryBytes("example.com")[2..]), ToHex((await upstream)[2..]));
    }

    [Fact]
    public async Task A_silent_server_is_left_after_its_time_and_the_next_one_answers()
    {
        _ = Upstream(_firstUdp, _ => []);
        var second = Upstream(_secondUdp, query => [Answer(query)]);

        var answer = await NewForwarder().ResolveAsync(QueryBytes("example.com"), AskerWith(First, Second), overTcp: false);

        Assert.Equal(ToHex(Answer(QueryBytes("example.com"))), ToHex(answer));
        await second;
    }

    [Fact]
    public async Task When_no_server_answers_the_client_gets_SERVFAIL_with_its_question()
    {
        _ = Upstream(_firstUdp, _ => []);

        // 127.0.0.3 has no socket on the port: refused at once, then the silent one runs out of time.
        var answer = await NewForwarder(50).ResolveAsync(QueryBytes("example.com"), AskerWith(IPAddress.Parse("127.0.0.3"), First), overTcp: false);

        Assert.Equal("12 34 81 82 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01", ToHex(answer));
    }

    [Fact]
    public async Task Without_any_server_the_answer_is_SERVFAIL_at_once()
    {
        var answer = await NewForwarder().ResolveAsync(QueryBytes("example.com"), AskerWith(), overTcp: false);
        Assert.Equal("81 82", ToHex(answer.AsSpan(2, 2)));
    }

    [Fact]
    public async Task A_truncated_answer_is_asked_again_over_TCP_for_a_TCP_client_and_passed_on_as_is_to_a_UDP_one()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(First, _port));
        tcp.Listen();
        var overTcp = Task.Run(async () =>
        {
            using var client = await tcp.AcceptAsync();
            using var stream = new NetworkStream(client);
            var query = (await TcpFraming.ReadMessageAsync(stream, CancellationToken.None))!;
            await TcpFraming.WriteMessageAsync(stream, Answer(query), CancellationToken.None);
        });
        var forwarder = NewForwarder(2000);

        _ = Upstream(_firstUdp, query => [Answer(query, flags: 0x8380)]);
        var udpClient = await forwarder.ResolveAsync(QueryBytes("example.com"), AskerWith(First), overTcp: false);
        _ = Upstream(_firstUdp, query => [Answer(query, flags: 0x8380)]);
        var tcpClient = await forwarder.ResolveAsync(QueryBytes("example.com"), AskerWith(First), overTcp: true);

        Assert.Equal("83 80", ToHex(udpClient.AsSpan(2, 2)));
        Assert.Equal(ToHex(Answer(QueryBytes("example.com"))), ToHex(tcpClient));
        await overTcp;
    }

    [Fact]
    public void The_host_servers_are_the_nameserver_lines_without_loopback_ones()
    {
        var servers = HostNameServers.Parse("# generated\nsearch example\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n nameserver\t2001:db8::53 \nnameserver ::1\nnameserver bogus\nnameserver 192.0.2.53\noptions edns0\n");
        Assert.Equal("192.0.2.53 2001:db8::53", string.Join(' ', servers.Select(s => s.ToString())));
    }

    [Fact]
    public void The_host_servers_follow_the_file_when_it_changes()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("resolver-conf-").FullName, "resolv.conf");
        try
        {
            File.WriteAllText(path, "nameserver 192.0.2.53\n");
            var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
            var host = new HostNameServers(path, _ => { }, time);
            Assert.Equal("192.0.2.53", string.Join(' ', host.Current()));

            File.WriteAllText(path, "nameserver 198.51.100.53\n");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
            Assert.Equal("192.0.2.53", string.Join(' ', host.Current()));   // read at most once a second
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("198.51.100.53", string.Join(' ', host.Current()));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
