using System.Net.Sockets;
using System.Text;

namespace MyDocker.Resolver.Control;

/// <summary>
/// The control socket: a unix stream socket, mode 0600, one thread accepting and one per client (the daemon holds one
/// connection; a second client is a CLI-style probe). Each request line gets its reply line after the change is
/// published (<see cref="ControlProtocol.Handle"/>), in order.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private readonly Socket _listener;
    private readonly ControlProtocol _protocol;
    private readonly Action<string> _log;
    private volatile bool _stopping;

    private ControlServer(string path, Socket listener, ControlProtocol protocol, Action<string> log)
    {
        Path = path;
        _listener = listener;
        _protocol = protocol;
        _log = log;
    }

    public string Path { get; }

    /// <summary>Binds <paramref name="path"/> and starts accepting.</summary>
    /// <exception cref="InvalidOperationException">Another live process answers on the path, or it is not a socket.</exception>
    public static ControlServer Start(string path, ControlProtocol protocol, Action<string> log)
    {
        RemoveStale(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // Before listen(): until then a connect is refused (unix(7)), so nobody reaches the socket with looser modes.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        var server = new ControlServer(path, listener, protocol, log);
        new Thread(server.Accept) { IsBackground = true, Name = "control-accept" }.Start();
        return server;
    }

    /// <summary>A socket file nobody accepts on is what a killed resolver leaves behind: it is replaced. One somebody
    /// accepts on is a live resolver's, and starting a second would steal its path.</summary>
    private static void RemoveStale(string path)
    {
        var socket = Interop.Libc.IsSocket(path);
        if (socket is null) return;
        // connect(2) to a path that is no socket is refused too (unix(7)), so without this a file would be deleted.
        if (socket is false)
            throw new InvalidOperationException($"control path {path} exists and is not a socket; remove it or choose another --control path");
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        throw new InvalidOperationException($"another resolver answers on control path {path}; stop it first or choose another --control path");
    }

    private void Accept()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_stopping) _log($"control accept failed: {e.Message}");
                return;
            }
            new Thread(() => Serve(client)) { IsBackground = true, Name = "control-client" }.Start();
        }
    }

    /// <summary>A request this long is a <c>replace</c> of many containers (~110 bytes each).</summary>
    private const int LargeRequest = 64 * 1024;

    /// <summary>
    /// A large request leaves megabytes of garbage (the line, its parsed objects, the old table) that the GC would keep
    /// committed for a long time in a process that allocates almost nothing afterwards: measured RSS 44-79 MB after
    /// replaces of 10,000 names vs 6 MB with 10. A replace is rare (the daemon's start), so collect and compact once,
    /// after the reply is written (the daemon does not wait for it).
    /// </summary>
    private static void Compact()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private void Serve(Socket client)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: true);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = false };
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                var reply = _protocol.Execute(line);
                if (!reply.Ok) _log($"control request refused: {reply.Error}");
                writer.WriteLine(ControlProtocol.Format(reply));
                writer.Flush();
                if (line.Length >= LargeRequest) Compact();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            if (!_stopping) _log($"control client dropped: {e.Message}");
        }
    }

    /// <summary>Stops accepting and removes the socket file (clients already connected lose their connection at exit).</summary>
    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
