using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>`-p` through the mydocker CLI: what it shows (ps, port, inspect), and bad values refused with nothing left.</summary>
public sealed class PortCliTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("pcli").WithBusybox();

    public void Dispose() => _d.Dispose();

    private string Get(string url) =>
        _d.Netns.TryExec("curl", "-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", url).Stdout;

    [Fact]
    public void Run_p_publishes_and_ps_port_and_inspect_show_it()
    {
        _d.CliOk("network", "create", "--subnet", "10.93.0.0/24", "front");
        _d.RunDetached("--name", "web", "--network", "front", "-p", "18080:80", "-p", "127.0.0.1::80", "busybox",
            "sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www");

        var lines = _d.CliOk("port", "web").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("80/tcp -> 0.0.0.0:18080", lines);
        string local = Assert.Single(lines, l => l.StartsWith("80/tcp -> 127.0.0.1:", StringComparison.Ordinal));
        int picked = int.Parse(local[(local.LastIndexOf(':') + 1)..]);
        var range = _d.Netns.Exec("cat", "/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(picked, int.Parse(range[0]), int.Parse(range[1]));
        Assert.Contains("0.0.0.0:18080->80/tcp", _d.CliOk("ps"));
        Assert.Equal("18080", _d.InspectContainer("web").GetProperty("NetworkSettings").GetProperty("Ports")
            .GetProperty("80/tcp")[0].GetProperty("HostPort").GetString());

        _d.Eventually(() => Get("http://127.0.0.1:18080/index.html") == "200", "the published port answers on 127.0.0.1");
        Assert.Equal("200", Get($"http://127.0.0.1:{picked}/index.html"));

        _d.CliOk("rm", "-f", "web");
        Assert.Empty(ContainerTraces.PortElements(_d.Netns));
        // The reservation went with the container: a host server may take the port now.
        _d.Netns.Run(() =>
        {
            using var server = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 18080);
            server.Start();
            return 0;
        });
    }

    [Theory]
    [InlineData("80:", "container port")]
    [InlineData("a:b", "'a:b'")]
    [InlineData("0:80", "'0:80'")]
    [InlineData("70000:80", "'70000:80'")]
    [InlineData("80:80/sctpx", "sctpx")]
    [InlineData("1.2.3.4.5:80:80", "1.2.3.4.5")]
    [InlineData("90-80:80", "90-80")]
    [InlineData("8000-8002:80-81", "8000-8002:80-81")]
    [InlineData("65530-65540:80-90", "65530-65540")]
    [InlineData("192.0.2.77:8080:80", "192.0.2.77 is not an address of this host")]
    public void Bad_values_are_refused_by_name_and_leave_nothing(string value, string named)
    {
        _d.CliOk("network", "create", "--subnet", "10.94.0.0/24", "back");
        var before = ContainerTraces.Of(_d);
        var r = _d.Cli("run", "-d", "--network", "back", "-p", value, "busybox", "sleep", "100");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(named, r.Stderr);
        ContainerTraces.AssertBackTo(_d, before);
    }

    [Fact]
    public void A_conflict_names_the_container_and_leaves_nothing()
    {
        _d.CliOk("network", "create", "--subnet", "10.95.0.0/24", "side");
        _d.RunDetached("--name", "first", "--network", "side", "-p", "127.0.0.1:18090:80", "busybox", "sleep", "100");
        var before = ContainerTraces.Of(_d);
        var r = _d.Cli("run", "-d", "--name", "second", "--network", "side", "-p", "18090:80", "busybox", "sleep", "100");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("18090/tcp on 127.0.0.1 is published by container first", r.Stderr);
        ContainerTraces.AssertBackTo(_d, before);
    }

    [Fact]
    public void An_internal_network_cannot_publish()
    {
        _d.CliOk("network", "create", "--internal", "--subnet", "10.96.0.0/24", "vault");
        var r = _d.Cli("run", "-d", "--network", "vault", "-p", "18100:80", "busybox", "sleep", "100");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("network 'vault' is internal", r.Stderr);
        Assert.Empty(ContainerTraces.Ps(_d));
    }
}
