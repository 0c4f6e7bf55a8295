using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// Stale state never captures traffic: a replaced container gets the next datagram of the same client socket; the
/// table comes back after a flush (while running and across a restart); a daemon restart keeps every mapping and
/// leaves no element without a running owner.
/// </summary>
public sealed class PortRecoveryTests : IClassFixture<PortLab>
{
    private readonly PortLab _lab;
    private readonly DaemonUnderTest _d;

    public PortRecoveryTests(PortLab lab)
    {
        _lab = lab;
        _d = lab.D;
        _lab.RemoveAll(); // what an earlier (maybe failed) test left must not hold its ports or count in element checks
    }

    [Fact]
    public void A_replaced_container_gets_the_next_datagram_of_the_same_udp_client_and_new_tcp_connections()
    {
        _lab.RunServer("repA", "A", PortLab.NetA, "18201:80", "18201:53/udp");
        using var client = PortLab.UdpSocket(_lab.Lan);
        Assert.StartsWith("A ", PortLab.Exchange(client, PortLab.HostLanIp, 18201, "one"));
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18201, "A");
        string addressA = _d.IpOf("repA");

        _d.CliOk("rm", "-f", "repA");
        // On the other network B cannot inherit A's address, so a stale conntrack entry (to A's address) would lose
        // the datagram instead of reaching B by luck.
        _lab.RunServer("repB", "B", PortLab.NetB, "18201:80", "18201:53/udp");
        Assert.NotEqual(addressA, _d.IpOf("repB"));

        // Same socket, so the same source port: the same conntrack tuple as before the replacement.
        string? reply = PortLab.Exchange(client, PortLab.HostLanIp, 18201, "two");
        Assert.True(reply?.StartsWith("B ") == true,
            $"the same UDP socket got '{reply ?? "(no answer)"}' from the replaced mapping; conntrack in D:\n{string.Join('\n', _lab.ConntrackEntries("udp", 18201))}");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18201, "B");
        _d.CliOk("rm", "-f", "repB");
    }

    [Fact]
    public void A_flushed_ruleset_is_restored_while_running_and_at_start()
    {
        _lab.RunServer("flush1", "F", PortLab.NetA, "18211:80", "127.0.0.1:18212:53/udp");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18211, "F");
        var elements = _lab.PortElements();

        _d.Netns.Exec("nft", "flush", "ruleset");
        _d.Eventually(() => PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18211, timeoutSeconds: 1).Body.StartsWith("F "), "the LAN request works again after a flush");
        PortLab.UdpOk(_d.Netns, "127.0.0.1", 18212, "F");
        Assert.Equal(elements, _lab.PortElements());

        // Flushed while the daemon is down: the start rebuilds it, and the reservations are held again.
        Assert.Equal(0, _d.Stop());
        _d.Netns.Exec("nft", "flush", "ruleset");
        _d.Start();
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18211, "F");
        PortLab.UdpOk(_d.Netns, "127.0.0.1", 18212, "F");
        Assert.Equal(elements, _lab.PortElements());
        Assert.Contains("0.0.0.0:18211->80/tcp", _d.Docker("ps", "--format", "{{.Ports}}", "--filter", "name=flush1").Stdout);
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("tcp", 18211));
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("udp", 18212));
        _d.CliOk("rm", "-f", "flush1");
    }

    [Fact]
    public void A_rule_deleted_by_hand_is_put_back()
    {
        _lab.RunServer("guard1", "G", PortLab.NetA, "18215:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18215, "G");
        // The loopback guard of prerouting, found by its text and deleted by its handle, as an admin would.
        string Listing() => _d.Netns.Exec("nft", "-a", "list", "chain", "ip", "mydocker", "prerouting");
        string rule = Assert.Single(Listing().Split('\n'), l => l.Contains("ip daddr 127.0.0.0/8 return"));
        string handle = rule[(rule.LastIndexOf("# handle ", StringComparison.Ordinal) + 9)..].Trim();
        int repairs = _d.LogLinesWith("Firewall repaired after a change by nft").Count;
        _d.Netns.Exec("nft", "delete", "rule", "ip", "mydocker", "prerouting", "handle", handle);

        // Put back on the kernel's notification of that transaction (often before a listing could see it gone).
        _d.Eventually(() => _d.LogLinesWith("Firewall repaired after a change by nft").Count == repairs + 1, "the deletion is repaired");
        _d.Eventually(() => Listing().Contains("ip daddr 127.0.0.0/8 return"), "the guard rule is back");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18215, "G");
        _d.CliOk("rm", "-f", "guard1");
    }

    [Fact]
    public void A_daemon_restart_keeps_every_mapping_and_no_stale_element()
    {
        _lab.RunServer("keep1", "K", PortLab.NetA, "18221:80", "127.0.0.1:18222:80", "18221:53/udp");
        _lab.RunServer("die1", "D", PortLab.NetB, "18223:80");
        string dieId = _d.InspectContainer("die1").GetProperty("Id").GetString()!;
        Assert.Equal(_lab.ExpectedElements(), _lab.PortElements());

        // die1 exits while the daemon is down: nothing is there to withdraw its mapping at that moment.
        Assert.Equal(0, _d.Stop());
        Command.Run("runc", ["--root", Path.Combine(_d.ExecRoot, "runc"), "kill", dieId, "KILL"]);
        _d.Start();

        _d.Eventually(() => _d.StateOf("die1") == "exited", "die1 is seen exited after the restart");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18221, "K");
        PortLab.HttpOk(_d.Netns, "127.0.0.1", 18222, "K");
        PortLab.UdpOk(_lab.Lan, PortLab.HostLanIp, 18221, "K");
        Assert.Equal(7, PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18223).Code);
        var expected = _lab.ExpectedElements();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, _lab.PortElements());
        // The stopped container still holds its port (reserved from create to rm).
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("tcp", 18223));
        _d.CliOk("rm", "-f", "keep1", "die1");
        Assert.Empty(_lab.PortElements());
    }
}
