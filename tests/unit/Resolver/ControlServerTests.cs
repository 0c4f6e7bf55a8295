using System.Net.Sockets;
using System.Text;
using MyDocker.Resolver.Control;
using MyDocker.Resolver.Records;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The control socket itself, over a real unix socket in a temporary directory.</summary>
public sealed class ControlServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("resolver-control-").FullName;
    private string SocketPath => Path.Combine(_dir, "resolver.sock");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ControlServer Start(string path) => ControlServer.Start(path, new ControlProtocol(new ContainerTable()), _ => { });

    [Fact]
    public void Requests_get_their_replies_in_order_on_a_socket_only_its_owner_may_open()
    {
        using var server = Start(SocketPath);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
        using var stream = new NetworkStream(client);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        stream.Write(Encoding.UTF8.GetBytes(
            """
            {"op":"put","container":"c1","endpoints":[{"network":"n1","ip":"10.1.0.2","names":["web"]}]}
            {"op":"nope"}
            {"op":"ping"}

            """.ReplaceLineEndings("\n")));

        Assert.Equal("""{"ok":true}""", reader.ReadLine());
        Assert.StartsWith("""{"ok":false""", reader.ReadLine(), StringComparison.Ordinal);
        Assert.EndsWith("\"containers\":1}", reader.ReadLine(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public void A_second_resolver_on_a_live_path_is_refused_and_a_stale_socket_file_is_replaced()
    {
        using (var first = Start(SocketPath))
        {
            Assert.Contains("another resolver answers", Assert.Throws<InvalidOperationException>(() => Start(SocketPath)).Message, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(SocketPath));

        // A socket file nobody listens on, as a killed resolver leaves it. (Kept open: .NET unlinks the path of a unix
        // socket it bound when the socket is disposed, which a SIGKILLed process never does.)
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dead.Bind(new UnixDomainSocketEndPoint(SocketPath));
        Assert.True(File.Exists(SocketPath));
        using var second = Start(SocketPath);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
    }

    [Fact]
    public void A_file_that_is_not_a_socket_is_left_alone()
    {
        File.WriteAllText(SocketPath, "mine");
        Assert.Contains("is not a socket", Assert.Throws<InvalidOperationException>(() => Start(SocketPath)).Message, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(SocketPath));
    }
}
