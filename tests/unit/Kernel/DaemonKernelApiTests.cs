using System.Net.Sockets;
using MyDocker.Engine.Kernel;

namespace MyDocker.UnitTests.Kernel;

/// <summary>The two kernel questions the daemon's hosting asks the engine (<see cref="PathOwner"/> for its directory
/// checks, <see cref="UnixSocketPeer"/> for abandoned exec/attach clients), on a temp directory and a local unix
/// socket; no root.</summary>
public sealed class DaemonKernelApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mdt-unit-kapi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PathOwner_reads_owner_permissions_and_type()
    {
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite);
        string link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, _dir);

        var owner = PathOwner.Of(_dir);

        Assert.Equal(new PathOwner(PathOwner.EffectiveUid, 0b111_010_000, IsDirectory: true), owner);
        Assert.True(PathOwner.Of(link)!.Value.IsDirectory);
        Assert.False(PathOwner.Of(link, noFollow: true)!.Value.IsDirectory);
        Assert.Null(PathOwner.Of(Path.Combine(_dir, "missing")));
        Assert.Null(PathOwner.Of(Path.Combine(_dir, "missing", "below")));
    }

    [Fact]
    public void UnixSocketPeer_tells_a_close_from_a_half_close()
    {
        string path = Path.Combine(_dir, "s");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        using var server = listener.Accept();

        Assert.False(UnixSocketPeer.HasClosed(server.SafeHandle));
        client.Shutdown(SocketShutdown.Send);
        Assert.False(UnixSocketPeer.HasClosed(server.SafeHandle));
        client.Dispose();
        Assert.True(UnixSocketPeer.HasClosed(server.SafeHandle));
    }
}
