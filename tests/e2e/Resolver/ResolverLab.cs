using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.E2ETests.Resolver;

/// <summary>
/// The published <c>mydocker-resolver</c> in throw-away namespaces: a "host" netns holding the listen address
/// 169.254.53.53 on lo, a "container" netns on a veth (10.213.0.2, default route via the host), and an "outside" netns
/// on a second veth with stand-in upstreams at TEST-NET 192.0.2.53 and 192.0.2.54. Nothing routes off the machine.
/// Everything, the resolver process included, goes on dispose, even after a failed test.
/// </summary>
public sealed class ResolverLab : IDisposable
{
    public const string Listen = "169.254.53.53";
    public const string ContainerIp = "10.213.0.2";

    private readonly string _dir = Directory.CreateTempSubdirectory("mdt-res-").FullName;
    private readonly StringBuilder _log = new();
    private Process? _resolver;

    public ResolverLab()
    {
        Host = new TestNetns("res-h");
        Container = new TestNetns("res-c");
        Outside = new TestNetns("res-u");
        Host.Exec("ip", "addr", "add", Listen + "/32", "dev", "lo");
        Host.Exec("ip", "link", "add", "vc", "type", "veth", "peer", "name", "eth0", "netns", Container.Name);
        Host.Exec("ip", "addr", "add", "10.213.0.1/24", "dev", "vc");
        Host.Exec("ip", "link", "set", "vc", "up");
        Container.Exec("ip", "addr", "add", ContainerIp + "/24", "dev", "eth0");
        Container.Exec("ip", "link", "set", "eth0", "up");
        Container.Exec("ip", "route", "add", "default", "via", "10.213.0.1");
        Host.Exec("ip", "link", "add", "vu", "type", "veth", "peer", "name", "eth0", "netns", Outside.Name);
        Host.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", "vu");
        Host.Exec("ip", "link", "set", "vu", "up");
        Outside.Exec("ip", "addr", "add", "192.0.2.53/24", "dev", "eth0");
        Outside.Exec("ip", "addr", "add", "192.0.2.54/24", "dev", "eth0");
        Outside.Exec("ip", "link", "set", "eth0", "up");
        Outside.Exec("ip", "route", "add", "default", "via", "192.0.2.1");
        // The host's own stub (loopback) is listed first: the resolver must skip it.
        File.WriteAllText(ResolvConf, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n");
        Upstreams = new StandInUpstreams(Outside);
    }

    public TestNetns Host { get; }
    public TestNetns Container { get; }
    public TestNetns Outside { get; }
    public StandInUpstreams Upstreams { get; }
    public string ControlPath => Path.Combine(_dir, "resolver.sock");
    public string SnapshotPath => Path.Combine(_dir, "resolver.snapshot");
    public string PidPath => Path.Combine(_dir, "resolver.pid");
    public string ResolvConf => Path.Combine(_dir, "resolv.conf");
    public string Log { get { lock (_log) return _log.ToString(); } }
    public Process Process => _resolver ?? throw new InvalidOperationException("the resolver is not started");

    /// <summary>Starts the resolver in the host netns and waits until it answers a ping on its control socket.</summary>
    public void Start()
    {
        _resolver = Launch();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_resolver.HasExited) throw new InvalidOperationException($"the resolver exited {_resolver.ExitCode}: {Log}");
            try
            {
                if (Control("""{"op":"ping"}""").StartsWith("""{"ok":true""", StringComparison.Ordinal)) return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>Runs a second resolver with the same paths to its end; returns its exit code and stderr.</summary>
    public (int ExitCode, string Stderr) RunAnother()
    {
        using var other = Launch(capture: false);
        var stderr = other.StandardError.ReadToEnd();
        if (!other.WaitForExit(10_000))
        {
            other.Kill();
            throw new InvalidOperationException("a second resolver on a live control path kept running");
        }
        return (other.ExitCode, stderr);
    }

    private Process Launch(bool capture = true)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, UseShellExecute = false };
        // ip netns exec execs the program after setns(2): the process started is the resolver itself.
        foreach (var arg in (string[])["netns", "exec", Host.Name, Artifacts.Resolver, "--listen", Listen, "--control", ControlPath,
                     "--snapshot", SnapshotPath, "--pid-file", PidPath, "--resolv-conf", ResolvConf])
            psi.ArgumentList.Add(arg);
        var process = Process.Start(psi)!;
        if (capture)
        {
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            process.BeginErrorReadLine();
        }
        return process;
    }

    /// <summary>One request line on a new control connection; the reply line.</summary>
    public string Control(string line)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(ControlPath));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        return reader.ReadLine() ?? throw new IOException("the resolver closed the control connection without a reply");
    }

    public void Signal(string signal) => Command.Run("kill", ["-" + signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    /// <summary>A query from inside <paramref name="from"/> (the container netns unless given) to the resolver.</summary>
    public DnsAnswer Query(string name, ushort type = 1, bool tcp = false, TestNetns? from = null)
    {
        var ns = from ?? Container;
        using var socket = NetnsThread.Run(ns.Path, () => tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        socket.ReceiveTimeout = 5000; // every answer, SERVFAIL included, must come well within a client's 5 s (resolv.conf(5) timeout)
        socket.SendTimeout = 5000;
        socket.Connect(new IPEndPoint(IPAddress.Parse(Listen), 53));
        var id = (ushort)Random.Shared.Next(65536);
        var query = DnsAnswer.Query(id, name, type);
        byte[] reply;
        if (tcp)
        {
            using var stream = new NetworkStream(socket);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            stream.Write(framed);
            var length = new byte[2];
            stream.ReadExactly(length);
            reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            stream.ReadExactly(reply);
        }
        else
        {
            socket.Send(query);
            var buffer = new byte[4096];
            reply = buffer[..socket.Receive(buffer)];
        }
        return DnsAnswer.Parse(reply, id, query.Length);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false if it never did.</summary>
    public static bool Eventually(Func<bool> condition)
    {
        for (var until = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < until; Thread.Sleep(20))
            if (condition()) return true;
        return condition();
    }

    public void Dispose()
    {
        if (_resolver is { HasExited: false })
        {
            _resolver.Kill();
            _resolver.WaitForExit(5000);
        }
        _resolver?.Dispose();
        Upstreams.Dispose();
        Outside.Dispose();
        Container.Dispose();
        Host.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>A reply as the tests read it: rcode and the A records' addresses.</summary>
public sealed record DnsAnswer(int Rcode, string Addresses)
{
    public const int NoError = 0, ServFail = 2, NxDomain = 3, Refused = 5;

    public static byte[] Query(ushort id, string name, ushort type)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    /// <summary>Reads the answers after the question (each name a 2-byte pointer, as both our resolver and the stand-in write them).</summary>
    public static DnsAnswer Parse(byte[] reply, ushort id, int questionEnd)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(reply) != id) throw new InvalidDataException("the reply carries another id");
        var count = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        var addresses = new List<string>();
        var at = questionEnd;
        for (var i = 0; i < count; i++)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(at + 2));
            var length = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(at + 10));
            if (type == 1) addresses.Add(new IPAddress(reply.AsSpan(at + 12, 4)).ToString());
            at += 12 + length;
        }
        return new DnsAnswer(reply[3] & 0x0F, string.Join(' ', addresses));
    }
}

/// <summary>
/// Upstream name servers in the "outside" netns: 192.0.2.53 answers every A query with 203.0.113.53, 192.0.2.54 with
/// 203.0.113.54. <see cref="Silent"/> makes both swallow queries (a dead server that drops, not refuses).
/// </summary>
public sealed class StandInUpstreams : IDisposable
{
    private readonly List<Socket> _sockets = [];
    private int _queries;

    public StandInUpstreams(TestNetns outside)
    {
        foreach (var (address, answer) in new[] { ("192.0.2.53", (byte)53), ("192.0.2.54", (byte)54) })
        {
            var socket = NetnsThread.Run(outside.Path, () =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Parse(address), 53));
                return s;
            });
            _sockets.Add(socket);
            new Thread(() => Serve(socket, answer)) { IsBackground = true }.Start();
        }
    }

    public bool Silent { get; set; }
    public int Queries => Volatile.Read(ref _queries);

    private void Serve(Socket socket, byte last)
    {
        var buffer = new byte[512];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            int length;
            try
            {
                length = socket.ReceiveFrom(buffer, ref from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _queries);
            if (Silent || length < 17) continue;
            // The question ends at the name's root label + type + class; the answer follows it.
            var end = 12;
            while (buffer[end] != 0) end += buffer[end] + 1;
            end += 5;
            var reply = buffer[..end].Concat(new byte[] { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, last }).ToArray();
            reply[2] = 0x81;
            reply[3] = 0x80;
            reply[7] = 1;
            reply[10] = reply[11] = 0;
            try
            {
                socket.SendTo(reply, from);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets) socket.Dispose();
    }
}
