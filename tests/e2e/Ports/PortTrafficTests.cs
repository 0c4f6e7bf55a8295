using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// Published ports carry traffic from everywhere they should (LAN client, the host through 127.0.0.1 and its own
/// address, containers through the host's address) and from nowhere else; the engine picks free ports; a published
/// port stays held against host processes; stop closes it cleanly. See <see cref="PortLab"/> for the namespaces.
/// </summary>
public sealed class PortTrafficTests : IClassFixture<PortLab>
{
    private readonly PortLab _lab;
    private readonly DaemonUnderTest _d;

    public PortTrafficTests(PortLab lab)
    {
        _lab = lab;
        _d = lab.D;
        _lab.RemoveAll(); // what an earlier (maybe failed) test left must not hold its ports or count in element checks
    }

    [Fact]
    public void A_LAN_client_reaches_a_container_over_tcp_and_udp_with_its_source_address_kept()
    {
        _lab.RunServer("lan1", "L1", PortLab.NetA, "18001:80", "18001:53/udp");

        string http = PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18001, "L1");
        Assert.Contains(PortLab.LanClientIp, http); // busybox httpd prints it v4-mapped: [::ffff:198.51.100.2]
        Assert.Equal($"L1 {PortLab.LanClientIp} lan-udp", PortLab.UdpOk(_lab.Lan, PortLab.HostLanIp, 18001, "L1", "lan-udp"));
        // Control: a port that is not published is not answered (the container's own 80 is not reachable as 18002).
        Assert.NotEqual(0, PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18002).Code);
    }

    [Fact]
    public void The_host_reaches_a_container_through_loopback_and_its_own_address()
    {
        _lab.RunServer("self1", "S1", PortLab.NetA, "18011:80", "18011:53/udp");

        foreach (var address in new[] { "127.0.0.1", PortLab.HostLanIp, PortLab.HostUpstreamIp })
        {
            PortLab.HttpOk(_d.Netns, address, 18011, "S1");
            PortLab.UdpOk(_d.Netns, address, 18011, "S1");
        }
    }

    [Fact]
    public void Containers_reach_a_published_port_through_the_host_address_hairpin()
    {
        _lab.RunServer("hp1", "H1", PortLab.NetA, "18021:80");

        // A second container on the same network, the container itself, and a container on another network.
        var same = _d.Cli(["run", "--rm", "--network", PortLab.NetA, "busybox", .. PortLab.HttpInContainer(PortLab.HostLanIp, 18021)]);
        Assert.True(same.ExitCode == 0 && same.Stdout.Trim().StartsWith("H1 "), $"same network: {same}");
        var self = _d.Cli(["exec", "hp1", .. PortLab.HttpInContainer(PortLab.HostLanIp, 18021)]);
        Assert.True(self.ExitCode == 0 && self.Stdout.Trim().StartsWith("H1 "), $"itself: {self}");
        var other = _d.Cli(["run", "--rm", "--network", PortLab.NetB, "busybox", .. PortLab.HttpInContainer(PortLab.HostLanIp, 18021)]);
        Assert.True(other.ExitCode == 0 && other.Stdout.Trim().StartsWith("H1 "), $"other network: {other}");
        // Control on the same setup: the container's own address is not reachable from the other network (isolation).
        var direct = _d.Cli(["run", "--rm", "--network", PortLab.NetB, "busybox", .. PortLab.HttpInContainer(_d.IpOf("hp1"), 80)]);
        Assert.False(direct.Stdout.Trim().StartsWith("H1 "), $"other network, straight to the container: {direct}");
    }

    [Fact]
    public void A_port_published_on_loopback_is_refused_to_the_LAN_even_to_a_forged_destination()
    {
        // 18031 only on 127.0.0.1; 18032 on every address: the honest control on the same container.
        _lab.RunServer("lo1", "O1", PortLab.NetA, "127.0.0.1:18031:80", "127.0.0.1:18031:53/udp", "18032:53/udp");

        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18031, "O1");
        PortLab.UdpOk(_d.Netns, "127.0.0.1", 18031, "O1");
        Assert.NotEqual(0, PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18031).Code);
        Assert.Null(PortLab.Udp(_lab.Lan, PortLab.HostLanIp, 18031, "honest"));
        PortLab.UdpOk(_lab.Lan, PortLab.HostLanIp, 18032, "O1", "control");

        // The LAN peer sends packets for 127.0.0.1:18031 to the host's MAC: its own egress rewrites the destination
        // after routing (netdev egress hook, kernel >= 5.16), so the frame goes to 198.51.100.1's MAC. Without the
        // engine's guard these reach the container (checked by hand: its output shows the payload).
        _lab.Lan.Exec("nft", "add", "table", "netdev", "forge");
        try
        {
            _lab.Lan.Exec("nft", "add", "chain", "netdev", "forge", "out", "{ type filter hook egress device \"eth0\" priority 0; }");
            _lab.Lan.Exec("nft", "add", "rule", "netdev", "forge", "out",
                "ip", "daddr", PortLab.HostLanIp, "udp", "dport", "18031", "counter", "ip", "daddr", "set", "127.0.0.1");
            for (int i = 0; i < 3; i++) Assert.Null(PortLab.Udp(_lab.Lan, PortLab.HostLanIp, 18031, "forged" + i, timeoutMs: 700));
            // The forging did happen (the rule counted the datagrams) and the engine's DNAT still serves the LAN.
            Assert.Matches(@"counter packets [1-9]", _lab.Lan.Exec("nft", "list", "chain", "netdev", "forge", "out"));
            PortLab.UdpOk(_lab.Lan, PortLab.HostLanIp, 18032, "O1", "control-after");
        }
        finally { _lab.Lan.TryExec("nft", "delete", "table", "netdev", "forge"); }

        string logs = _d.CliOk("logs", "lo1");
        Assert.Contains("control-after", logs);
        Assert.DoesNotContain("forged", logs);
    }

    [Fact]
    public void The_engine_picks_a_free_port_from_the_ephemeral_range_and_shows_it()
    {
        _lab.RunServer("pick1", "P1", PortLab.NetA, "80", "127.0.0.1::80");
        var range = _d.Netns.Exec("cat", "/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

        var shown = _d.Docker("port", "pick1");
        Assert.Equal(0, shown.ExitCode);
        var lines = shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Matches(@"^80/tcp -> 0\.0\.0\.0:\d+$", lines[0]);
        Assert.Matches(@"^80/tcp -> 127\.0\.0\.1:\d+$", lines[1]);
        int any = int.Parse(lines[0].Split(':')[^1]), loopback = int.Parse(lines[1].Split(':')[^1]);

        Assert.InRange(any, range[0], range[1]);
        Assert.InRange(loopback, range[0], range[1]);
        var inspected = PortLab.Bindings(_d.InspectContainer("pick1")).Order().ToList();
        Assert.Equal(new List<(string, int, int, string)> { ("0.0.0.0", any, 80, "tcp"), ("127.0.0.1", loopback, 80, "tcp") }, inspected);

        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, any, "P1");
        PortLab.HttpOk(_d.Netns, "127.0.0.1", loopback, "P1");
        Assert.NotEqual(0, PortLab.Http(_lab.Lan, PortLab.HostLanIp, loopback).Code);
    }

    [Fact]
    public void A_host_process_cannot_take_a_published_port_later()
    {
        _lab.RunServer("hold1", "K1", PortLab.NetA, "18041:80", "18041:53/udp");

        // Every way a server binds: each must be refused while the container holds the port.
        var taken = new List<string>();
        foreach (var protocol in new[] { "tcp", "udp" })
            foreach (var reuse in new[] { "none", "addr", "addr+port" })
                if (_lab.TryTakePort(protocol, 18041, reuse) is null) taken.Add($"{protocol} with reuse={reuse} took 18041");
        Assert.True(taken.Count == 0, string.Join("; ", taken));
        // The container still gets the traffic; a free port next to it can be taken the same ways.
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18041, "K1");
        foreach (var protocol in new[] { "tcp", "udp" })
            foreach (var reuse in new[] { "none", "addr", "addr+port" })
                Assert.Null(_lab.TryTakePort(protocol, 18042, reuse));

        // And after rm the port is the host's again.
        _d.CliOk("rm", "-f", "hold1");
        Assert.Null(_lab.TryTakePort("tcp", 18041));
        Assert.Null(_lab.TryTakePort("udp", 18041));
    }

    [Fact]
    public void A_stopped_container_refuses_connections_and_gets_the_same_port_back_on_start()
    {
        _lab.RunServer("stop1", "T1", PortLab.NetA, "18051:80");
        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18051, "T1");

        _d.CliOk("stop", "-t", "1", "stop1");
        // Refused (curl exit 7), not a hang (28): the held socket answers RST once the mapping is withdrawn.
        Assert.Equal(7, PortLab.Http(_d.Netns, "127.0.0.1", 18051).Code);
        Assert.Equal(7, PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18051).Code);
        Assert.DoesNotContain(_lab.PortElements(), e => e.Contains(" 18051 "));

        _d.CliOk("start", "stop1");
        _lab.WaitServing("stop1", "T1");
        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18051, "T1");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18051, "T1");
        Assert.Equal("80/tcp -> 0.0.0.0:18051", _d.Docker("port", "stop1").Stdout.Trim());
    }

    [Fact]
    public void Removal_leaves_no_element_socket_or_conntrack_entry()
    {
        _lab.RunServer("gone1", "G1", PortLab.NetA, "18061:80", "127.0.0.1:18062:53/udp");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18061, "G1");
        PortLab.UdpOk(_d.Netns, "127.0.0.1", 18062, "G1");
        // Everything this test looks for is there before the removal.
        Assert.Contains(_lab.PortElements(), e => e.StartsWith("tcp . 18061 :"));
        Assert.Contains(_lab.PortElements(), e => e.StartsWith("127.0.0.1 . udp . 18062 :"));
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("tcp", 18061));
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("udp", 18062));
        Assert.NotEmpty(_lab.ConntrackEntries("tcp", 18061));
        Assert.NotEmpty(_lab.ConntrackEntries("udp", 18062));

        _d.CliOk("rm", "-f", "gone1");

        Assert.DoesNotContain(_lab.PortElements(), e => e.Contains(" 18061 ") || e.Contains(" 18062 "));
        Assert.Null(_lab.TryTakePort("tcp", 18061));
        Assert.Null(_lab.TryTakePort("udp", 18062));
        Assert.Empty(_lab.ConntrackEntries("tcp", 18061));
        Assert.Empty(_lab.ConntrackEntries("udp", 18062));
    }
}
