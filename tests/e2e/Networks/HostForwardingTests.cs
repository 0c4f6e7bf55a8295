using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Networks;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// H1: a network needs IPv4 forwarding, which is one switch for all interfaces; turning it on must not make the host a
/// router between its other interfaces. The daemon's namespace plays a host with two uplinks (TEST-NET addresses only):
/// <code>
///   [A: eth0 192.0.2.2, default via .1]    ──veth── fa0 192.0.2.1   ┐
///                                                                    [daemon netns D] ── md-* bridge ── containers
///   [B: eth0 203.0.113.2, default via .1]  ──veth── fb0 203.0.113.1 ┘
/// </code>
/// A reaching B is the host routing between two non-engine interfaces.
/// </summary>
public sealed class HostForwardingTests
{
    private const string AIp = "192.0.2.2", HostAIp = "192.0.2.1", BIp = "203.0.113.2", HostBIp = "203.0.113.1";

    private sealed class RouterLab : IDisposable
    {
        public DaemonUnderTest D { get; }
        public TestNetns A { get; }
        public TestNetns B { get; }

        /// <param name="ipForward">ip_forward in D before the daemon starts (what the host had before the engine ran).</param>
        public RouterLab(bool ipForward)
        {
            D = new DaemonUnderTest("fwd", start: false).WithBusybox();
            A = new TestNetns("fwa");
            B = new TestNetns("fwb");
            try
            {
                Wire(A, "fa0", HostAIp, AIp);
                Wire(B, "fb0", HostBIp, BIp);
                D.Netns.Run(() => { File.WriteAllText("/proc/sys/net/ipv4/ip_forward", ipForward ? "1" : "0"); return 0; });
                D.Start();
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private void Wire(TestNetns peer, string hostSide, string hostIp, string peerIp)
        {
            D.Netns.Exec("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", peer.Name);
            D.Netns.Exec("ip", "addr", "add", hostIp + "/24", "dev", hostSide);
            D.Netns.Exec("ip", "link", "set", hostSide, "up");
            peer.Exec("ip", "addr", "add", peerIp + "/24", "dev", "eth0");
            peer.Exec("ip", "link", "set", "eth0", "up");
            peer.Exec("ip", "route", "add", "default", "via", hostIp);
        }

        public string IpForward => D.Netns.Exec("cat", "/proc/sys/net/ipv4/ip_forward").Trim();

        public string Record => Path.Combine(D.ExecRoot, HostForwarding.RecordName);

        /// <summary>A pings B through D. A success is retried (ARP on fresh links); a "cannot" passes attempts: 1.</summary>
        public bool AReachesB(int attempts = 3) => Ping(A, BIp, attempts);

        public static bool Ping(TestNetns from, string address, int attempts = 3)
        {
            for (int i = 0; i < attempts; i++)
                if (from.TryExec("busybox", "ping", "-c", "1", "-W", "1", address).ExitCode == 0) return true;
            return false;
        }

        /// <summary>A fetches the container's /etc/hostname through the port published on D's address facing A.</summary>
        public string FromAThroughPublishedPort(int port)
        {
            var r = (Code: -1, Body: "");
            for (int i = 0; i < 20 && r.Code != 0; i++)
            {
                var (code, stdout, _) = A.TryExec("curl", "-sf", "-m", "2", $"http://{HostAIp}:{port}/hostname");
                r = (code, stdout.Trim());
                if (code != 0) Thread.Sleep(100); // httpd may still be starting
            }
            return r.Body;
        }

        public void Dispose()
        {
            D.Dispose();
            A.Dispose();
            B.Dispose();
        }
    }

    [Fact]
    public void H1_a_network_does_not_make_the_host_a_router_between_its_other_interfaces()
    {
        using var lab = new RouterLab(ipForward: false);
        var d = lab.D;
        Assert.True(RouterLab.Ping(lab.A, HostAIp), "A reaches the host itself");
        Assert.False(lab.AReachesB(attempts: 1), "before any network the host does not route");

        d.CliOk("network", "create", "--subnet", "10.94.1.0/24", "n1");
        Assert.Equal("1", lab.IpForward);
        Assert.False(lab.AReachesB(attempts: 1), "after network create the host routes between A and B");
        Assert.True(File.Exists(lab.Record));
        // What the network needs forwarding for still works: a container's egress (masqueraded) and a published port.
        Assert.True(d.PingFrom("n1", BIp), "a container reaches B");
        string id = d.RunDetached("--network", "n1", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc");
        Assert.Equal(id[..12], lab.FromAThroughPublishedPort(8080));

        // The record outlives a daemon restart (it is as old as ip_forward's value), and so does the drop.
        d.Restart();
        Assert.False(lab.AReachesB(attempts: 1), "after a restart the host routes between A and B");
        Assert.True(d.PingFrom("n1", BIp), "after a restart a container reaches B");

        // The last network gone: forwarding back off, and no trace left.
        d.CliOk("rm", "-f", id);
        d.CliOk("network", "rm", "n1");
        Assert.False(lab.AReachesB(attempts: 1), "with the network removed but not yet reconciled");
        d.CliOk("system", "reconcile");
        Assert.Equal("0", lab.IpForward);
        Assert.False(File.Exists(lab.Record));
        Assert.Equal("", d.Netns.Exec("nft", "list", "tables").Trim());
    }

    [Fact]
    public void H1_forwarding_the_administrator_turned_on_is_left_alone()
    {
        using var lab = new RouterLab(ipForward: true);
        var d = lab.D;
        Assert.True(lab.AReachesB(), "the host routes before the engine runs");

        d.CliOk("network", "create", "--subnet", "10.94.2.0/24", "n2");
        Assert.True(lab.AReachesB(), "the host still routes after network create");
        Assert.False(File.Exists(lab.Record));
        Assert.DoesNotContain("host_routing", d.Netns.Exec("nft", "list", "table", "ip", "mydocker"));
        Assert.True(d.PingFrom("n2", BIp), "a container reaches B");

        d.CliOk("network", "rm", "n2");
        d.CliOk("system", "reconcile");
        Assert.Equal("1", lab.IpForward);
        Assert.True(lab.AReachesB(), "the host still routes after the last network is gone");
    }
}
