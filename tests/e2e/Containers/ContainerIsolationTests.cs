using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// Traffic between real containers: same network reaches, different networks do not, the host reaches a container,
/// egress is masqueraded to an "upstream" namespace (TEST-NET-3, built here; nothing leaves the machine) and an
/// --internal network has no egress.
/// <code>
///   containers ── md-* bridges ── [daemon netns: up0 203.0.113.1] ──veth── [upstream netns: 203.0.113.2]
/// </code>
/// The upstream has no route back to the container subnets, so it can answer only masqueraded packets.
/// </summary>
public sealed class ContainerIsolationTests : IDisposable
{
    private const string UpstreamIp = "203.0.113.2";
    private readonly DaemonUnderTest _d = new DaemonUnderTest("cis").WithBusybox();
    private readonly TestNetns _upstream = new("cup");

    public ContainerIsolationTests()
    {
        _d.Netns.Exec("ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", _upstream.Name);
        _d.Netns.Exec("ip", "addr", "add", "203.0.113.1/24", "dev", "up0");
        _d.Netns.Exec("ip", "link", "set", "up0", "up");
        _upstream.Exec("ip", "addr", "add", UpstreamIp + "/24", "dev", "eth0");
        _upstream.Exec("ip", "link", "set", "eth0", "up");
        _d.CliOk("network", "create", "--subnet", "10.90.1.0/24", "red");
        _d.CliOk("network", "create", "--subnet", "10.90.2.0/24", "blue");
        _d.CliOk("network", "create", "--internal", "--subnet", "10.90.3.0/24", "vault");
    }

    public void Dispose()
    {
        _d.Dispose();
        _upstream.Dispose();
    }

    [Fact]
    public void Containers_on_one_network_reach_each_other_and_no_other_network()
    {
        _d.RunDetached("--name", "r1", "--network", "red", "busybox", "sleep", "1000");
        _d.RunDetached("--name", "b1", "--network", "blue", "busybox", "sleep", "1000");
        string r1 = _d.IpOf("r1"), b1 = _d.IpOf("b1");

        Assert.True(_d.PingFrom("red", r1), "a container on red reaches another on red");
        Assert.True(_d.PingFrom("blue", b1), "a container on blue reaches another on blue");
        Assert.False(_d.PingFrom("blue", r1, attempts: 1), "blue must not reach red");
        Assert.False(_d.PingFrom("red", b1, attempts: 1), "red must not reach blue");
    }

    [Fact]
    public void The_host_reaches_a_container_by_its_address()
    {
        _d.RunDetached("--name", "target", "--network", "red", "busybox", "sleep", "1000");
        Assert.True(BridgeLabPing(_d.Netns, _d.IpOf("target")));
    }

    [Fact]
    public void Egress_is_masqueraded_and_an_internal_network_has_none()
    {
        Assert.True(_d.PingFrom("red", UpstreamIp), "red reaches the upstream through SNAT");
        Assert.False(_d.PingFrom("vault", UpstreamIp, attempts: 1), "an --internal network has no egress");
        // The internal network still works inside itself.
        _d.RunDetached("--name", "v1", "--network", "vault", "busybox", "sleep", "1000");
        Assert.True(_d.PingFrom("vault", _d.IpOf("v1")));
    }

    private static bool BridgeLabPing(TestNetns from, string address) => Firewall.BridgeLab.Ping(from, address);
}
