using System.Net;
using System.Net.Sockets;
using System.Text;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// M2: bridges have route_localnet on (the host reaches published ports as 127.0.0.1:PORT), so packets from a container
/// addressed to 127.0.0.1 through its gateway would reach the host's loopback services. The guard on each container
/// veth's tc ingress must hold with no window: after `nft flush ruleset`, and while the daemon is down.
/// <para>The "host service" is a UDP socket bound to 127.0.0.1 in the daemon's namespace; the container's packets are
/// ordinary datagrams to its gateway that a netdev egress rule in the container's namespace rewrites to 127.0.0.1 after
/// routing (as PortTrafficTests forges a LAN peer's packets), or raw frames (tests/e2e/Fixtures/forge.c). Each "cannot"
/// is paired with a datagram to a socket bound to the gateway address, which arrives.</para>
/// </summary>
public sealed class LoopbackGuardTests : IClassFixture<PortLab>
{
    private const string Gateway = "10.93.1.1";
    private const int Loopback = 18301, Control = 18302;

    private readonly PortLab _lab;
    private readonly DaemonUnderTest _d;

    public LoopbackGuardTests(PortLab lab)
    {
        _lab = lab;
        _d = lab.D;
        _lab.RemoveAll();
    }

    /// <summary>A container on network A whose namespace rewrites its datagrams for GATEWAY:<see cref="Loopback"/> to 127.0.0.1.</summary>
    private (string Id, string Netns) Attacker()
    {
        string id = _d.RunDetached("--network", PortLab.NetA, "busybox", "sleep", "600");
        string netns = _d.NetnsOf(id);
        void Nft(params string[] args) => Command.Run("nsenter", ["--net=" + netns, "nft", .. args]);
        Nft("add", "table", "netdev", "forge");
        Nft("add", "chain", "netdev", "forge", "out", "{ type filter hook egress device \"eth0\" priority 0; }");
        Nft("add", "rule", "netdev", "forge", "out", "ip", "daddr", Gateway, "udp", "dport", Loopback.ToString(), "counter", "ip", "daddr", "set", "127.0.0.1");
        return (id, netns);
    }

    private static long Forged(string netns) =>
        long.Parse(System.Text.RegularExpressions.Regex.Match(
            Command.Run("nsenter", ["--net=" + netns, "nft", "list", "chain", "netdev", "forge", "out"]), @"counter packets (\d+)").Groups[1].Value);

    private Socket Listen(string address, int port) => _d.Netns.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return s;
    });

    private static void Send(string netns, int port, string payload) => NetnsThread.Run(netns, () =>
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.SendTo(Encoding.ASCII.GetBytes(payload), new IPEndPoint(IPAddress.Parse(Gateway), port));
        return 0;
    });

    /// <summary>Everything <paramref name="socket"/> received within <paramref name="ms"/>.</summary>
    private static List<string> Received(Socket socket, int ms = 700)
    {
        var got = new List<string>();
        var buffer = new byte[512];
        var deadline = DateTime.UtcNow.AddMilliseconds(ms);
        while (socket.Poll(TimeSpan.FromMilliseconds(Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds)), SelectMode.SelectRead))
            got.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
        return got;
    }

    /// <summary>The control: an honest datagram to the gateway address arrives (the path works, so a "nothing" means something).</summary>
    private static void ControlArrives(string netns, Socket control, string payload)
    {
        for (int i = 0; i < 3; i++)
        {
            Send(netns, Control, payload);
            if (Received(control).Contains(payload)) return;
        }
        Assert.Fail($"the control datagram '{payload}' to {Gateway}:{Control} never arrived");
    }

    /// <summary>Network A's bridge (asked once: some tests need it while the daemon is down).</summary>
    private string Bridge => _bridge ??= _d.InspectNetworkBridge(PortLab.NetA);
    private string? _bridge;

    private string RouteLocalnet => _d.Netns.Exec("cat", $"/proc/sys/net/ipv4/conf/{Bridge}/route_localnet").Trim();

    /// <summary>br_netfilter (built in here) decides where the reply to the host's 127.0.0.1 connection is translated back
    /// (see LoopbackGuard): both settings must serve 127.0.0.1 ports and keep the container out.</summary>
    [Theory]
    [InlineData("1", 18311)]
    [InlineData("0", 18312)]
    public void M2_the_host_reaches_127_0_0_1_ports_and_a_container_reaches_no_loopback_service_even_right_after_a_flush(string bridgeNfCallIptables, int port)
    {
        const string sysctl = "/proc/sys/net/bridge/bridge-nf-call-iptables";
        string before = _d.Netns.Exec("cat", sysctl).Trim();
        _d.Netns.Exec("sh", "-c", $"echo {bridgeNfCallIptables} > {sysctl}");
        try
        {
            _lab.RunServer("lo1", "L1", PortLab.NetA, $"127.0.0.1:{port}:80", $"127.0.0.1:{port}:53/udp");
            PortLab.HttpOk(_d.Netns, "127.0.0.1", port, "L1");
            PortLab.UdpOk(_d.Netns, "127.0.0.1", port, "L1");

            var (_, netns) = Attacker();
            using var loopback = Listen("127.0.0.1", Loopback);
            using var control = Listen(Gateway, Control);
            ControlArrives(netns, control, "before");

            _d.Netns.Exec("nft", "flush", "ruleset");
            for (int i = 0; i < 3; i++) Send(netns, Loopback, "forged" + i);
            Assert.Empty(Received(loopback));
            Assert.True(Forged(netns) >= 3, "the container's egress rule rewrote the datagrams");
            ControlArrives(netns, control, "after");

            _d.Eventually(() => _d.Netns.TryExec("nft", "list", "table", "ip", "mydocker").ExitCode == 0, "the daemon restores its table");
            PortLab.HttpOk(_d.Netns, "127.0.0.1", port, "L1");
        }
        finally { _d.Netns.Exec("sh", "-c", $"echo {before} > {sysctl}"); }
    }

    [Fact]
    public void M2_with_the_daemon_killed_and_the_ruleset_flushed_the_guard_holds_and_a_restart_serves_127_0_0_1_ports_again()
    {
        _lab.RunServer("lo2", "L2", PortLab.NetA, "127.0.0.1:18303:80");
        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18303, "L2");
        var (id, netns) = Attacker();
        using var loopback = Listen("127.0.0.1", Loopback);
        using var control = Listen(Gateway, Control);
        string bridgeMac = _d.Netns.Exec("cat", $"/sys/class/net/{Bridge}/address").Trim();
        string containerIp = _d.IpOf(id);

        _d.Kill();
        try
        {
            _d.Netns.Exec("nft", "flush", "ruleset");
            Assert.Equal("1", RouteLocalnet); // what would be open without the guard
            for (int i = 0; i < 3; i++) Send(netns, Loopback, "forged" + i);
            // Raw frames as well, plain and wrapped in two VLAN-0 (priority) tags, which the kernel unwraps only after the
            // bridge's tc ingress has seen them.
            foreach (var tags in new[] { "0", "2" })
            {
                var r = Command.TryRun("nsenter", ["--net=" + netns, Fixture.Program("forge"), "udp", "eth0", bridgeMac, tags, containerIp, "127.0.0.1", Loopback.ToString(), "raw" + tags]);
                Assert.True(r.ExitCode == 0, r.Stderr);
            }
            Assert.Empty(Received(loopback));
            Assert.True(Forged(netns) >= 3, "the container's egress rule rewrote the datagrams");
            ControlArrives(netns, control, "daemon-down");
        }
        finally { _d.Start(); }

        Assert.Equal("1", RouteLocalnet);
        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18303, "L2");
    }

    [Fact]
    public void M2_reconcile_puts_back_a_removed_guard_and_turns_route_localnet_off_beside_a_port_it_cannot_guard()
    {
        var (id, netns) = Attacker();
        string veth = "mdv" + id[..12];
        _d.Netns.Exec("tc", "qdisc", "del", "dev", veth, "clsact");
        Assert.Contains($"loopback guard of {veth} on bridge {Bridge} re-attached", _d.CliOk("system", "reconcile"));
        Assert.Contains("direct-action", _d.Netns.Exec("tc", "filter", "show", "dev", veth, "ingress"));
        Assert.Equal("1", RouteLocalnet);

        using var loopback = Listen("127.0.0.1", Loopback);
        using var control = Listen(Gateway, Control);
        _d.Netns.Exec("nft", "flush", "ruleset");
        Send(netns, Loopback, "forged");
        Assert.Empty(Received(loopback));
        ControlArrives(netns, control, "control");
        _d.Eventually(() => _d.Netns.TryExec("nft", "list", "table", "ip", "mydocker").ExitCode == 0, "the daemon restores its table");

        // A device someone attached by hand is not the engine's to change: the bridge fails closed until it is gone.
        _d.Netns.Exec("ip", "link", "add", "mdt-by-hand", "type", "veth", "peer", "name", "mdt-by-hand-p");
        try
        {
            _d.Netns.Exec("ip", "link", "set", "mdt-by-hand", "master", Bridge);
            var r = _d.Cli("system", "reconcile");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("mdt-by-hand (not a container's veth)", r.Stdout + r.Stderr);
            Assert.Equal("0", RouteLocalnet);
        }
        finally { _d.Netns.TryExec("ip", "link", "del", "mdt-by-hand"); }
        _d.CliOk("system", "reconcile");
        Assert.Equal("1", RouteLocalnet);
    }
}
