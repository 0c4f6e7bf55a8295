using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// A daemon under test with a LAN client and an upstream, all in throw-away namespaces (TEST-NET addresses only;
/// nothing leaves the machine):
/// <code>
///   [LAN client L: eth0 198.51.100.2, default via .1] ──veth── lan0 198.51.100.1 ┐
///                                                                                 [daemon netns D] ── md-* bridges ── containers
///   [upstream U: eth0 203.0.113.2]                    ──veth── up0  203.0.113.1  ┘
/// </code>
/// Networks <see cref="NetA"/> and <see cref="NetB"/>. Containers started by <see cref="RunServer"/> answer HTTP on
/// port 80 (busybox httpd; /cgi-bin/ip prints "TAG REMOTE_ADDR") and UDP on port 53 (udp-echo: "TAG SOURCE PAYLOAD").
/// Shared by the tests of one class (IClassFixture): tests use host ports of their own.
/// </summary>
public sealed class PortLab : IDisposable
{
    public const string HostLanIp = "198.51.100.1", LanClientIp = "198.51.100.2";
    public const string HostUpstreamIp = "203.0.113.1", UpstreamIp = "203.0.113.2";
    public const string NetA = "pa", NetB = "pb";
    public const string SubnetA = "10.93.1.0/24", SubnetB = "10.93.2.0/24";

    public DaemonUnderTest D { get; }
    public TestNetns Lan { get; }
    public TestNetns Upstream { get; }
    /// <summary>Holds udp-echo (mounted at /opt/t).</summary>
    public string ToolsDir => Tools.Value;
    /// <summary>The httpd document root (mounted at /www).</summary>
    public string WwwDir { get; }

    private static readonly Lazy<string> Tools = new(CompileUdpEcho);

    public PortLab()
    {
        D = new DaemonUnderTest("port").WithBusybox();
        Lan = new TestNetns("plan");
        Upstream = new TestNetns("pup");
        try
        {
            Wire(D.Netns, "lan0", HostLanIp, Lan, LanClientIp);
            Wire(D.Netns, "up0", HostUpstreamIp, Upstream, UpstreamIp);
            Lan.Exec("ip", "route", "add", "default", "via", HostLanIp);
            WwwDir = Path.Combine(D.Root, "www");
            Directory.CreateDirectory(Path.Combine(WwwDir, "cgi-bin"));
            string cgi = Path.Combine(WwwDir, "cgi-bin", "ip");
            // busybox httpd passes its own environment (TAG from -e) and REMOTE_ADDR to CGI scripts.
            File.WriteAllText(cgi, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"$TAG $REMOTE_ADDR\"\n");
            File.SetUnixFileMode(cgi, (UnixFileMode)0x1ed);
            D.CliOk("network", "create", "--subnet", SubnetA, NetA);
            D.CliOk("network", "create", "--subnet", SubnetB, NetB);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private static void Wire(TestNetns host, string hostSide, string hostIp, TestNetns peer, string peerIp)
    {
        host.Exec("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", peer.Name);
        host.Exec("ip", "addr", "add", hostIp + "/24", "dev", hostSide);
        host.Exec("ip", "link", "set", hostSide, "up");
        peer.Exec("ip", "addr", "add", peerIp + "/24", "dev", "eth0");
        peer.Exec("ip", "link", "set", "eth0", "up");
    }

    /// <summary>tests/e2e/Fixtures/udp-echo.c, built static once per test run (the container has no libc).</summary>
    private static string CompileUdpEcho()
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-e2e-tools-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        string source = Path.Combine(Artifacts.RepoRoot, "tests", "e2e", "Fixtures", "udp-echo.c");
        Command.Run("gcc", ["-static", "-O2", "-o", Path.Combine(dir, "udp-echo"), source]);
        return dir;
    }

    /// <summary>`docker run -d` of a server container named <paramref name="name"/> answering with <paramref name="tag"/>,
    /// with the given -p values; waits until it answers on its own address. Returns the docker CLI result (for
    /// refusals); a success has exit code 0.</summary>
    public CliResult TryRunServer(string name, string tag, string network, params string[] publish)
    {
        var args = new List<string> { "run", "-d", "--name", name, "--network", network, "-e", "TAG=" + tag,
            "-v", WwwDir + ":/www:ro", "-v", ToolsDir + ":/opt/t:ro" };
        foreach (var p in publish) args.AddRange(["-p", p]);
        args.AddRange(["busybox", "sh", "-c", $"/opt/t/udp-echo 53 {tag} & exec httpd -f -p 80 -h /www"]);
        return D.Docker([.. args]);
    }

    public string RunServer(string name, string tag, string network, params string[] publish)
    {
        var r = TryRunServer(name, tag, network, publish);
        Assert.True(r.ExitCode == 0, $"docker run {name} exited {r.ExitCode}: {r.Stderr}{r.Stdout}\n{D.Logs}");
        WaitServing(name, tag);
        return r.Stdout.Trim();
    }

    /// <summary>Waits until the container answers HTTP and UDP on its own address (from D, no published port involved).</summary>
    public void WaitServing(string name, string tag)
    {
        string ip = D.IpOf(name);
        D.Eventually(() => Http(D.Netns, ip, 80).Body.StartsWith(tag + " ", StringComparison.Ordinal), $"{name} answers HTTP on {ip}:80");
        D.Eventually(() => Udp(D.Netns, ip, 53, "ready", timeoutMs: 500)?.StartsWith(tag + " ", StringComparison.Ordinal) == true, $"{name} answers UDP on {ip}:53");
    }

    /// <summary>GET http://HOST:PORT/cgi-bin/ip with curl inside <paramref name="from"/>; Code is curl's exit code
    /// (0 ok, 7 refused, 28 timed out), Body the trimmed answer ("TAG REMOTE_ADDR").</summary>
    public static (int Code, string Body) Http(TestNetns from, string host, int port, int timeoutSeconds = 3)
    {
        var (code, stdout, _) = from.TryExec("curl", "-sf", "-m", timeoutSeconds.ToString(), $"http://{host}:{port}/cgi-bin/ip");
        return (code, stdout.Trim());
    }

    /// <summary>A "can" check: HTTP answered with <paramref name="tag"/>; retried a few times (a fresh link's first
    /// packets can wait on ARP). Returns the body.</summary>
    public static string HttpOk(TestNetns from, string host, int port, string tag)
    {
        (int Code, string Body) r = default;
        for (int i = 0; i < 3; i++)
        {
            r = Http(from, host, port);
            if (r.Code == 0 && r.Body.StartsWith(tag + " ", StringComparison.Ordinal)) return r.Body;
        }
        Assert.Fail($"http://{host}:{port} from {from.Name}: curl exit {r.Code}, body '{r.Body}', expected tag {tag}");
        return "";
    }

    /// <summary>A command for inside a container that GETs /cgi-bin/ip from HOST:PORT and prints only the body. busybox nc,
    /// not wget: this busybox-static's wget crashes with SIGSEGV (exit 139) on any URL.</summary>
    public static string[] HttpInContainer(string host, int port) =>
        ["sh", "-c", $"printf 'GET /cgi-bin/ip HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port} | tail -n 1"];

    /// <summary>One UDP datagram from a fresh socket inside <paramref name="from"/>; the answer, or null when none came.</summary>
    public static string? Udp(TestNetns from, string host, int port, string payload, int timeoutMs = 1500)
    {
        using var socket = UdpSocket(from);
        return Exchange(socket, host, port, payload, timeoutMs);
    }

    /// <summary>A "can" check for UDP: answered with <paramref name="tag"/> (retried like <see cref="HttpOk"/>).</summary>
    public static string UdpOk(TestNetns from, string host, int port, string tag, string payload = "hello")
    {
        string? reply = null;
        for (int i = 0; i < 3; i++)
        {
            reply = Udp(from, host, port, payload);
            if (reply?.StartsWith(tag + " ", StringComparison.Ordinal) == true) return reply;
        }
        Assert.Fail($"udp {host}:{port} from {from.Name}: reply '{reply}', expected tag {tag}");
        return "";
    }

    /// <summary>A UDP socket created (and so living) in <paramref name="from"/>'s namespace, bound to an ephemeral port.</summary>
    public static Socket UdpSocket(TestNetns from) => from.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Any, 0));
        return s;
    });

    /// <summary>Sends one datagram and waits for one answer from that peer; null on timeout or ICMP error.</summary>
    public static string? Exchange(Socket socket, string host, int port, string payload, int timeoutMs = 1500)
    {
        var peer = new IPEndPoint(IPAddress.Parse(host), port);
        socket.SendTo(Encoding.ASCII.GetBytes(payload), peer);
        var buffer = new byte[1024];
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (!socket.Poll(TimeSpan.FromMilliseconds(Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds)), SelectMode.SelectRead)) return null;
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try { n = socket.ReceiveFrom(buffer, ref from); }
            catch (SocketException) { return null; } // ICMP port unreachable from an earlier send
            if (from.Equals(peer)) return Encoding.ASCII.GetString(buffer, 0, n);
        }
        return null;
    }

    /// <summary>The elements of ports_any and ports_addr as nft prints them ("tcp . 8080 : 10.93.1.2 . 80"), sorted.</summary>
    public List<string> PortElements()
    {
        var elements = new List<string>();
        foreach (var map in new[] { "ports_any", "ports_addr" })
        {
            string text = D.Netns.Exec("nft", "list", "map", "ip", "mydocker", map);
            var m = Regex.Match(text, @"elements = \{([^}]*)\}");
            if (m.Success)
                elements.AddRange(m.Groups[1].Value.Split(',').Select(e => Regex.Replace(e.Trim(), @"\s+", " ")).Where(e => e.Length > 0));
        }
        elements.Sort(StringComparer.Ordinal);
        return elements;
    }

    /// <summary>The elements that the running containers' published ports call for, from `inspect` (same form as
    /// <see cref="PortElements"/>).</summary>
    public List<string> ExpectedElements()
    {
        var expected = new List<string>();
        foreach (var row in ContainerTraces.Ps(D, all: false))
        {
            var c = D.InspectContainer(row.Id);
            string ip = c.GetProperty("NetworkSettings").GetProperty("IPAddress").GetString()!;
            foreach (var (hostIp, hostPort, containerPort, protocol) in Bindings(c))
                expected.Add(hostIp == "0.0.0.0"
                    ? $"{protocol} . {hostPort} : {ip} . {containerPort}"
                    : $"{hostIp} . {protocol} . {hostPort} : {ip} . {containerPort}");
        }
        expected.Sort(StringComparer.Ordinal);
        return expected;
    }

    /// <summary>NetworkSettings.Ports of an inspect result: (host ip, host port, container port, protocol).</summary>
    public static List<(string HostIp, int HostPort, int ContainerPort, string Protocol)> Bindings(JsonElement inspect)
    {
        var list = new List<(string, int, int, string)>();
        if (!inspect.GetProperty("NetworkSettings").TryGetProperty("Ports", out var ports) || ports.ValueKind != JsonValueKind.Object) return list;
        foreach (var p in ports.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Array) continue;
            var key = p.Name.Split('/');
            foreach (var b in p.Value.EnumerateArray())
                list.Add((b.GetProperty("HostIp").GetString()!, int.Parse(b.GetProperty("HostPort").GetString()!), int.Parse(key[0]), key[1]));
        }
        return list;
    }

    /// <summary>How binding <paramref name="port"/> on 0.0.0.0 in D ends for a host process: null when it succeeds (the
    /// socket is closed again at once), else the error. A TCP socket also listens. <paramref name="reuse"/>: "none"
    /// (SO_REUSEADDR off, as a plain C server), "addr" (SO_REUSEADDR, as nginx, Go, Node and .NET's TcpListener set it),
    /// "addr+port" (.NET's ReuseAddress option: SO_REUSEADDR and SO_REUSEPORT).
    /// <para>A bound TCP socket that does not listen is in no table /proc/net/tcp shows, so trying is the way to see
    /// whether something holds a port.</para></summary>
    public string? TryTakePort(string protocol, int port, string reuse = "none") => D.Netns.Run<string?>(() =>
    {
        // .NET sets SO_REUSEADDR itself when binding a socket created with ProtocolType.Tcp (to match Windows'
        // TIME_WAIT behaviour); with protocol 0 the kernel still makes TCP (or UDP) but .NET leaves the option alone.
        using var s = new Socket(AddressFamily.InterNetwork, protocol == "tcp" ? SocketType.Stream : SocketType.Dgram, ProtocolType.Unspecified);
        const int SolSocket = 1, SoReuseAddr = 2, SoReusePort = 15;
        s.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(reuse == "none" ? 0 : 1));
        s.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(reuse == "addr+port" ? 1 : 0));
        try
        {
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            var check = new byte[4];
            s.GetRawSocketOption(SolSocket, SoReuseAddr, check);
            if ((BitConverter.ToInt32(check) != 0) != (reuse != "none")) throw new InvalidOperationException("SO_REUSEADDR is not as asked");
            if (protocol == "tcp") s.Listen();
            return null;
        }
        catch (SocketException e) { return e.SocketErrorCode.ToString(); }
    });

    /// <summary>Conntrack entries in D whose original destination port is <paramref name="port"/>.</summary>
    public List<string> ConntrackEntries(string protocol, int port)
    {
        var (_, stdout, _) = D.Netns.TryExec("conntrack", "-L", "-p", protocol, "--dport", port.ToString());
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>rm -f of every container (ports of one test must not leak into the next one's element checks).</summary>
    public void RemoveAll()
    {
        foreach (var c in ContainerTraces.Ps(D, all: true)) D.CliOk("rm", "-f", c.Id);
    }

    public void Dispose()
    {
        D.Dispose();
        Lan.Dispose();
        Upstream.Dispose();
    }
}
