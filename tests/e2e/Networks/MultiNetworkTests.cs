using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// Containers on several networks with the real daemon in a throw-away netns: run on two networks, connect a running and
/// a stopped container (a new interface, its own lease, traffic across it), disconnect (interface and lease gone, the
/// default route moved when the primary network went), a static address kept across stop/start, the docker CLI's
/// connect/disconnect/--network-alias, and a SIGKILL at each connect/disconnect step or in the middle of nothing.
/// </summary>
public sealed class MultiNetworkTests
{
    private static DaemonUnderTest Daemon(string purpose)
    {
        var d = new DaemonUnderTest(purpose).WithBusybox();
        d.CliOk("network", "create", "--subnet", "10.96.0.0/24", "neta");
        d.CliOk("network", "create", "--subnet", "10.97.0.0/24", "netb");
        d.CliOk("network", "create", "--subnet", "10.98.0.0/24", "netc");
        return d;
    }

    /// <summary>"ethN ADDRESS/PREFIX" of the container's interfaces, sorted; lo left out.</summary>
    private static List<string> Interfaces(DaemonUnderTest d, string id)
    {
        var (code, output, error) = d.InContainerNetns(id, "ip", "-o", "-4", "addr", "show");
        Assert.True(code == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1] != "lo").Select(f => $"{f[1]} {f[3]}").Order(StringComparer.Ordinal).ToList();
    }

    private static string DefaultRoute(DaemonUnderTest d, string id) => d.InContainerNetns(id, "ip", "route", "show", "default").Stdout.Trim();

    private static List<string> NetworksOf(DaemonUnderTest d, string id) =>
        [.. d.InspectContainer(id).GetProperty("NetworkSettings").GetProperty("Networks").EnumerateObject().Select(n => $"{n.Name} {n.Value.GetProperty("IPAddress").GetString()}")];

    private static bool PingFromContainer(DaemonUnderTest d, string container, string address, int attempts = 3)
    {
        for (int i = 0; i < attempts; i++)
            if (d.Cli("exec", container, "ping", "-c", "1", "-W", "1", address).ExitCode == 0) return true;
        return false;
    }

    private static List<string> LeasesOn(DaemonUnderTest d, string network) =>
        [.. d.InspectNetwork(network).GetProperty("Containers").EnumerateObject().Select(c => $"{c.Value.GetProperty("Name").GetString()} {c.Value.GetProperty("IPv4Address").GetString()}")];

    [Fact]
    public void Run_on_two_networks_connect_a_running_container_reach_across_it_then_disconnect()
    {
        using var d = Daemon("mn1");
        var clean = ContainerTraces.Of(d);
        string web = d.RunDetached("--name", "web", "--network", "neta", "--network", "netb", "--network-alias", "www", "busybox", "sleep", "1000");
        string peer = d.RunDetached("--name", "peer", "--network", "netc", "busybox", "sh", "-c", "echo hello-from-peer > /tmp/index.html; exec httpd -f -p 8080 -h /tmp");

        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24"], Interfaces(d, web));
        Assert.StartsWith("default via 10.96.0.1 dev eth0", DefaultRoute(d, web));
        Assert.Equal(["neta 10.96.0.2", "netb 10.97.0.2"], NetworksOf(d, web));
        Assert.Equal("www", d.InspectContainer("web").GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("neta").GetProperty("Aliases")[0].GetString());
        Assert.True(PingFromContainer(d, "web", "10.97.0.1"));
        Assert.False(PingFromContainer(d, "web", "10.98.0.2", attempts: 1)); // netc is another network: isolated

        d.CliOk("network", "connect", "--ip", "10.98.0.50", "--alias", "webc", "netc", "web");

        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24", "eth2 10.98.0.50/24"], Interfaces(d, web));
        Assert.StartsWith("default via 10.96.0.1 dev eth0", DefaultRoute(d, web));
        Assert.True(PingFromContainer(d, "web", "10.98.0.2"));
        Assert.True(PingFromContainer(d, "peer", "10.98.0.50"));
        d.Eventually(() => d.Cli("exec", "web", "wget", "-q", "-O", "-", "http://10.98.0.2:8080/index.html").Stdout == "hello-from-peer\n",
            "web fetches a page from peer across its new interface");
        Assert.Contains("web 10.98.0.50/24", LeasesOn(d, "netc"));
        var e = d.InspectContainer("web").GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("netc");
        Assert.Equal(("10.98.0.50", "webc", "10.98.0.1"),
            (e.GetProperty("IPAMConfig").GetProperty("IPv4Address").GetString(), e.GetProperty("Aliases")[0].GetString(), e.GetProperty("Gateway").GetString()));

        d.CliOk("network", "disconnect", "netc", "web");

        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24"], Interfaces(d, web));
        Assert.DoesNotContain(LeasesOn(d, "netc"), l => l.StartsWith("web ", StringComparison.Ordinal));
        Assert.False(PingFromContainer(d, "peer", "10.98.0.50", attempts: 1));
        // The primary goes: the default route moves to netb's gateway.
        d.CliOk("network", "disconnect", "neta", "web");
        Assert.Equal(["eth1 10.97.0.2/24"], Interfaces(d, web));
        Assert.StartsWith("default via 10.97.0.1 dev eth1", DefaultRoute(d, web));
        Assert.Equal(["netb 10.97.0.2"], NetworksOf(d, web));
        var last = d.Cli("network", "disconnect", "netb", "web");
        Assert.Equal(1, last.ExitCode);
        Assert.Contains("network 'netb' is the only network of container 'web'", last.Stderr);
        var rm = d.Cli("network", "rm", "netb");
        Assert.Contains("network 'netb' has 1 active endpoint(s) (containers 'web'); disconnect them first", rm.Stderr);

        d.CliOk("rm", "-f", "web", "peer");
        d.Eventually(() => ContainerTraces.Of(d).SequenceEqual(clean), "every veth, lease and netns of web and peer is gone");
        _ = peer;
    }

    [Fact]
    public void A_stopped_container_connected_with_a_static_address_keeps_it_across_stop_and_start()
    {
        using var d = Daemon("mn2");
        string id = d.RunDetached("--name", "st", "--network", "neta", "--ip", "10.96.0.77", "busybox", "sleep", "1000");
        d.CliOk("stop", "-t", "0", "st");
        d.CliOk("network", "connect", "--ip", "10.97.0.88", "netb", "st");
        Assert.Equal(["neta 10.96.0.77", "netb 10.97.0.88"], NetworksOf(d, id));

        d.CliOk("start", "st");
        d.CliOk("stop", "-t", "0", "st");
        d.CliOk("start", "st");

        Assert.Equal(["eth0 10.96.0.77/24", "eth1 10.97.0.88/24"], Interfaces(d, id));
        Assert.True(PingFromContainer(d, "st", "10.97.0.1"));
        var bad = d.Cli("network", "connect", "--ip", "10.97.0.88", "netb", "st");
        Assert.Contains("container 'st' is already connected to network 'netb'", bad.Stderr);
    }

    [Fact]
    public void Bad_connects_are_refused_and_change_nothing()
    {
        using var d = Daemon("mn3");
        d.RunDetached("--name", "web", "--network", "neta", "busybox", "sleep", "1000");
        d.RunDetached("--name", "holder", "--network", "netb", "--ip", "10.97.0.9", "busybox", "sleep", "1000");
        var clean = ContainerTraces.Of(d);

        foreach (var (args, message) in new (string[], string)[]
        {
            (["nonet", "web"], "nonet"),
            (["netb", "nobody"], "nobody"),
            (["neta", "web"], "container 'web' is already connected to network 'neta'"),
            (["--ip", "10.1.2.3", "netb", "web"], "--ip 10.1.2.3 is outside network 'netb' (10.97.0.0/24)"),
            (["--ip", "10.97.0.9", "netb", "web"], "10.97.0.9"),
            (["--alias", "bad_alias", "netb", "web"], "alias 'bad_alias' for container 'web' contains '_'"),
        })
        {
            var r = d.Cli(["network", "connect", .. args]);
            Assert.True(r.ExitCode != 0 && r.Stderr.Contains(message), $"connect {string.Join(' ', args)}: {r.ExitCode} {r.Stderr}");
            Assert.Equal(clean, ContainerTraces.Of(d));
        }
        var notOn = d.Cli("network", "disconnect", "netb", "web");
        Assert.Contains("container 'web' is not connected to network 'netb'", notOn.Stderr);
        Assert.Equal(clean, ContainerTraces.Of(d));
    }

    [Fact]
    public void The_docker_cli_connects_disconnects_and_runs_with_network_aliases()
    {
        using var d = Daemon("mn4");
        var r = d.Docker("run", "-d", "--name", "dweb", "--network", "neta", "--network-alias", "www", "busybox", "sleep", "1000");
        Assert.True(r.ExitCode == 0, r.Stderr + d.Logs);
        string id = r.Stdout.Trim();

        var connect = d.Docker("network", "connect", "--alias", "api", "--ip", "10.97.0.40", "netb", "dweb");
        Assert.True(connect.ExitCode == 0, connect.Stderr);
        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.40/24"], Interfaces(d, id));
        using (var doc = JsonDocument.Parse(d.Docker("inspect", "dweb").Stdout))
        {
            var networks = doc.RootElement[0].GetProperty("NetworkSettings").GetProperty("Networks");
            Assert.Equal("www", networks.GetProperty("neta").GetProperty("Aliases")[0].GetString());
            Assert.Equal("api", networks.GetProperty("netb").GetProperty("Aliases")[0].GetString());
            Assert.Contains("dweb", networks.GetProperty("netb").GetProperty("DNSNames").EnumerateArray().Select(n => n.GetString()));
        }
        var again = d.Docker("network", "connect", "netb", "dweb");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already connected to network 'netb'", again.Stderr);

        var disconnect = d.Docker("network", "disconnect", "netb", "dweb");
        Assert.True(disconnect.ExitCode == 0, disconnect.Stderr);
        Assert.Equal(["eth0 10.96.0.2/24"], Interfaces(d, id));
        var two = d.Docker("run", "-d", "--name", "dtwo", "--network", "neta", "--network", "netc", "busybox", "sleep", "1000");
        Assert.True(two.ExitCode == 0, two.Stderr);
        Assert.Equal(["eth0 10.96.0.3/24", "eth1 10.98.0.2/24"], Interfaces(d, two.Stdout.Trim()));
    }

    [Fact]
    public void When_the_primary_network_goes_published_ports_lead_to_the_next_networks_address()
    {
        using var d = Daemon("mn8");
        d.RunDetached("--name", "web", "--network", "neta", "--network", "netb", "-p", "18081:80", "busybox",
            "sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www");
        string Get() => d.Netns.TryExec("curl", "-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:18081/index.html").Stdout;
        d.Eventually(() => Get() == "200", "the published port answers through neta");
        Assert.Contains(ContainerTraces.PortElements(d.Netns), e => e.Contains("10.96.0.2"));

        d.CliOk("network", "disconnect", "neta", "web");

        Assert.Contains(ContainerTraces.PortElements(d.Netns), e => e.Contains("10.97.0.2"));
        Assert.DoesNotContain(ContainerTraces.PortElements(d.Netns), e => e.Contains("10.96.0.2"));
        d.Eventually(() => Get() == "200", "the published port answers through netb");
    }

    [Fact]
    public void A_veth_of_an_interface_no_endpoint_claims_is_removed_by_the_reconciler_and_the_rest_stay()
    {
        using var d = Daemon("mn9");
        string id = d.RunDetached("--name", "web", "--network", "neta", "--network", "netb", "busybox", "sleep", "1000");
        // What a daemon killed while the link reaper held a rolled-back connect's veth leaves: eth5's host side, ours.
        string stale = "mdx" + id[..10] + "05";
        d.Netns.Exec("ip", "link", "add", stale, "type", "veth", "peer", "name", "mn9peer");
        d.Netns.Exec("ip", "link", "set", stale, "alias", "mydocker:ctr:" + id);

        var report = d.CliOk("system", "reconcile");

        Assert.Contains($"veth {stale} of container 'web' deleted: none of its endpoints is eth5", report);
        var links = KernelSnapshot.Of(d.Netns).Links.Select(l => l.Name).ToList();
        Assert.DoesNotContain(stale, links);
        Assert.Contains("mdv" + id[..12], links);
        Assert.Contains("mdx" + id[..10] + "01", links);
        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24"], Interfaces(d, id));
    }

    public static TheoryData<string> ConnectSteps => new() { "container-connect:recorded", "container-connect:leased", "container-create:veth-created", "container-connect:network" };

    [Theory]
    [MemberData(nameof(ConnectSteps))]
    public void Killed_during_connect_the_restart_leaves_the_container_as_before(string step)
    {
        using var d = Daemon("mn5");
        string id = d.RunDetached("--name", "web", "--network", "neta", "busybox", "sleep", "1000");
        var clean = ContainerTraces.Of(d);
        d.Restart(crashAt: step);

        Assert.NotEqual(0, d.Cli("network", "connect", "netb", "web").ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));
        d.Start();

        ContainerTraces.AssertBackTo(d, clean);
        Assert.Equal(["eth0 10.96.0.2/24"], Interfaces(d, id));
        d.CliOk("network", "connect", "netb", "web");
        // IPAM hands addresses out round-robin: the rolled-back lease's address comes later, not now.
        var lease = Assert.Single(LeasesOn(d, "netb"));
        Assert.Equal(["eth0 10.96.0.2/24", "eth1 " + lease["web ".Length..]], Interfaces(d, id));
    }

    [Theory]
    [InlineData("container-disconnect:marked")]
    [InlineData("container-disconnect:kernel-done")]
    public void Killed_during_disconnect_the_restart_finishes_it(string step)
    {
        using var d = Daemon("mn6");
        string id = d.RunDetached("--name", "web", "--network", "neta", "--network", "netb", "busybox", "sleep", "1000");
        d.Restart(crashAt: step);

        Assert.NotEqual(0, d.Cli("network", "disconnect", "neta", "web").ExitCode);
        Assert.Equal(137, d.WaitForExit(TimeSpan.FromSeconds(20)));
        d.Start();

        Assert.Equal(["eth1 10.97.0.2/24"], Interfaces(d, id));
        Assert.StartsWith("default via 10.97.0.1 dev eth1", DefaultRoute(d, id));
        Assert.Equal(["netb 10.97.0.2"], NetworksOf(d, id));
        Assert.Empty(LeasesOn(d, "neta"));
        d.Eventually(() => !KernelSnapshot.Of(d.Netns).Links.Any(l => l.Name == "mdv" + id[..12]), "eth0's host veth is gone");
    }

    [Fact]
    public void A_daemon_killed_and_restarted_keeps_every_attachment()
    {
        using var d = Daemon("mn7");
        string web = d.RunDetached("--name", "web", "--network", "neta", "--network", "netb", "busybox", "sleep", "1000");
        d.CliOk("network", "connect", "--alias", "c", "netc", "web");
        var before = ContainerTraces.Of(d);

        d.Kill();
        d.Start();

        Assert.Equal(before, ContainerTraces.Of(d));
        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24", "eth2 10.98.0.2/24"], Interfaces(d, web));
        Assert.StartsWith("default via 10.96.0.1 dev eth0", DefaultRoute(d, web));
        Assert.True(PingFromContainer(d, "web", "10.98.0.1"));
        d.CliOk("network", "disconnect", "netc", "web");
        Assert.Equal(["eth0 10.96.0.2/24", "eth1 10.97.0.2/24"], Interfaces(d, web));
    }
}
