using System.Net.Sockets;
using System.Runtime.InteropServices;
using MyDocker.Resolver.Control;
using MyDocker.Resolver.Forwarding;
using MyDocker.Resolver.Persistence;
using MyDocker.Resolver.Records;
using MyDocker.Resolver.Serving;

namespace MyDocker.Resolver;

/// <summary>
/// Entry point of <c>mydocker-resolver</c>, the host's one DNS resolver for containers (issue 13). Start order: the
/// snapshot is loaded first (a respawned resolver answers at once), then the control socket is taken (which refuses to
/// start beside a live resolver), then the UDP and TCP sockets are bound and the pid file written. SIGTERM or SIGINT:
/// the snapshot is written if it is behind, the control socket and pid file are removed, exit 0.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--version"])
        {
            Console.Out.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "unknown");
            return 0;
        }
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Log(e.Message);
            return 2;
        }
        try
        {
            return Serve(options);
        }
        catch (Exception e) when (e is InvalidOperationException or SocketException or IOException or UnauthorizedAccessException)
        {
            Log($"cannot start: {e.Message}");
            return 1;
        }
    }

    private static int Serve(Options options)
    {
        SnapshotFile? snapshot = null;
        var table = new ContainerTable(() => snapshot?.Changed());
        var protocol = new ControlProtocol(table);
        if (options.Snapshot is not null)
        {
            snapshot = new SnapshotFile(options.Snapshot, table, Log);
            var loaded = snapshot.Load(protocol);
            if (loaded > 0) Log($"loaded {loaded} containers from {options.Snapshot}");
        }

        using var control = ControlServer.Start(options.Control, protocol, Log);
        using var udp = ListenSockets.Bind(options.Listen, options.Port, SocketType.Dgram);
        using var tcp = BindTcp(options);
        var pidFile = options.PidFile is null ? null : new PidFile(options.PidFile);
        pidFile?.Write();
        snapshot?.Start();

        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var forwarder = new Forwarder(new HostNameServers(options.ResolvConf, Log), Log);
        new Thread(new UdpServer(udp, table, forwarder, Log).Run) { IsBackground = true, Name = "udp" }.Start();
        if (tcp is not null) new Thread(new TcpServer(tcp, table, forwarder, Log).Run) { IsBackground = true, Name = "tcp" }.Start();
        Log($"serving {options.Listen}:{options.Port} ({(tcp is null ? "udp only" : "udp, tcp")}), control {options.Control}, pid {Environment.ProcessId}");

        stop.Wait();
        Log("stopping");
        snapshot?.Flush();
        pidFile?.Remove();
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // exit through the path above, which cleans up
            stop.Set();
        }
    }

    /// <summary>The TCP socket, or null when another program holds the port: a TCP listener on 0.0.0.0:53 blocks every
    /// other bind of port 53 even with SO_REUSEADDR on both (Linux refuses any bind beside a listening socket unless both
    /// set SO_REUSEPORT as the same user; measured). UDP carries nearly every query, so the resolver answers on UDP
    /// rather than not at all, and says so.</summary>
    private static Socket? BindTcp(Options options)
    {
        try
        {
            return ListenSockets.Bind(options.Listen, options.Port, SocketType.Stream);
        }
        catch (InvalidOperationException e)
        {
            Log($"{e.Message}; answering over UDP only (truncated answers cannot be retried over TCP)");
            return null;
        }
    }

    private static void Log(string line) => Console.Error.WriteLine($"mydocker-resolver: {line}");
}
