using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.E2ETests.Firewall;

/// <summary>
/// Test scaffolding, built with `ip` inside throw-away namespaces only:
/// <code>
///   hostA  (10.71.1.2) ──veth── [mdt-a 10.71.1.1]
///   hostA2 (10.71.1.3) ──veth── [mdt-a]             router (ip_forward=1, the firewall's netns)
///   hostB  (10.71.2.2) ──veth── [mdt-b 10.71.2.1]
///   hostB2 (10.71.2.3) ──veth── [mdt-b]
///   upstream (203.0.113.2, TEST-NET-3) ──veth── up0 203.0.113.1
/// </code>
/// The upstream has no route back to 10.71.0.0/16 unless <see cref="RouteUpstreamBack"/> is called, so a
/// ping from a host reaches it only when the router masquerades.
/// </summary>
public sealed class BridgeLab : IDisposable
{
    public const string BridgeA = "mdt-a", BridgeB = "mdt-b";
    public const string SubnetA = "10.71.1.0/24", SubnetB = "10.71.2.0/24";
    public const string HostAIp = "10.71.1.2", HostA2Ip = "10.71.1.3", HostBIp = "10.71.2.2", HostB2Ip = "10.71.2.3";
    public const string GatewayA = "10.71.1.1", GatewayB = "10.71.2.1";
    public const string RouterUpstreamIp = "203.0.113.1", UpstreamIp = "203.0.113.2";

    private readonly List<TestNetns> _all = [];
    public TestNetns Router { get; }
    public TestNetns HostA { get; }
    public TestNetns HostA2 { get; }
    public TestNetns HostB { get; }
    public TestNetns HostB2 { get; }
    public TestNetns Upstream { get; }
    public LibNftables Nft { get; }

    public BridgeLab()
    {
        try
        {
            Router = Add(new TestNetns("fwr"));
            HostA = Add(new TestNetns("fwa"));
            HostA2 = Add(new TestNetns("fwa2"));
            HostB = Add(new TestNetns("fwb"));
            HostB2 = Add(new TestNetns("fwb2"));
            Upstream = Add(new TestNetns("fwu"));

            Router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Bridge(BridgeA, GatewayA);
            Bridge(BridgeB, GatewayB);
            Attach(HostA, BridgeA, "va0", HostAIp, GatewayA);
            Attach(HostA2, BridgeA, "va1", HostA2Ip, GatewayA);
            Attach(HostB, BridgeB, "vb0", HostBIp, GatewayB);
            Attach(HostB2, BridgeB, "vb1", HostB2Ip, GatewayB);

            Router.Exec("ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", Upstream.Name);
            Router.Exec("ip", "addr", "add", RouterUpstreamIp + "/24", "dev", "up0");
            Router.Exec("ip", "link", "set", "up0", "up");
            Upstream.Exec("ip", "addr", "add", UpstreamIp + "/24", "dev", "eth0");
            Upstream.Exec("ip", "link", "set", "eth0", "up");

            Nft = Router.Run(() => new LibNftables());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Gives the upstream a route to the 10.71/16 networks, so replies come back without SNAT.</summary>
    public void RouteUpstreamBack() => Upstream.Exec("ip", "route", "add", "10.71.0.0/16", "via", RouterUpstreamIp);

    /// <summary>Counts, in the upstream namespace, packets arriving with a source in <paramref name="subnet"/>
    /// (a one-way check: a ping that fails does not say whether the request or the reply was dropped).</summary>
    public void StartUpstreamProbe(string subnet)
    {
        Upstream.Exec("nft", "add", "table", "ip", "probe");
        Upstream.Exec("nft", "add", "chain", "ip", "probe", "in", "{ type filter hook prerouting priority raw; }");
        Upstream.Exec("nft", "add", "rule", "ip", "probe", "in", "ip", "saddr", subnet, "counter");
    }

    public long UpstreamProbePackets()
    {
        var text = Upstream.Exec("nft", "list", "chain", "ip", "probe", "in");
        var m = System.Text.RegularExpressions.Regex.Match(text, @"counter packets (\d+)");
        Assert.True(m.Success, "probe counter not found in: " + text);
        return long.Parse(m.Groups[1].Value);
    }

    /// <summary>One ICMP echo from <paramref name="from"/>. A success is retried (ARP on a fresh link can eat the
    /// first one); a single failure is not, callers pair every "cannot" with a "can" on the same topology.</summary>
    public static bool Ping(TestNetns from, string address, int attempts = 3)
    {
        for (int i = 0; i < attempts; i++)
            if (from.TryExec("busybox", "ping", "-c", "1", "-W", "1", address).ExitCode == 0) return true;
        return false;
    }

    private TestNetns Add(TestNetns ns)
    {
        _all.Add(ns);
        return ns;
    }

    private void Bridge(string name, string gateway)
    {
        Router.Exec("ip", "link", "add", name, "type", "bridge");
        Router.Exec("ip", "addr", "add", gateway + "/24", "dev", name);
        Router.Exec("ip", "link", "set", name, "up");
    }

    private void Attach(TestNetns host, string bridge, string port, string address, string gateway)
    {
        Router.Exec("ip", "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.Name);
        Router.Exec("ip", "link", "set", port, "master", bridge, "up");
        host.Exec("ip", "addr", "add", address + "/24", "dev", "eth0");
        host.Exec("ip", "link", "set", "eth0", "up");
        host.Exec("ip", "route", "add", "default", "via", gateway);
    }

    public void Dispose()
    {
        Nft?.Dispose();
        foreach (var ns in _all) ns.Dispose();
    }
}
