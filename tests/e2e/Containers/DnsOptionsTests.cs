using System.Net;
using System.Text;
using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// --dns, --dns-search, --dns-option, --add-host, --hostname and --domainname as a container sees them: its
/// /etc/resolv.conf, /etc/hosts and UTS names, on a user-defined network (the engine's resolver) and on the default
/// network (the host's servers), through our CLI, the docker CLI and the API. Only files are read: no packet leaves.
/// </summary>
public sealed class DnsOptionsTests : IClassFixture<DnsOptionsTests.Daemon>
{
    public sealed class Daemon : IDisposable
    {
        public DaemonUnderTest D { get; } = new("dns", start: false);

        public Daemon()
        {
            // The host's resolver configuration as the daemon is told to read it: a loopback server the container cannot
            // reach (systemd-resolved's), one it can, a search domain and an option.
            string resolvConf = Path.Combine(D.Root, "resolv.conf");
            File.WriteAllText(resolvConf, "nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch lan\noptions edns0\n");
            D.ExtraEnv["MYDOCKER_MyDocker__ResolvConfPath"] = resolvConf;
            D.WithBusybox().Start();
            D.CliOk("network", "create", "--subnet", "10.93.0.0/24", "app");
        }

        public void Dispose() => D.Dispose();
    }

    private static readonly string[] Options =
    [
        "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "--add-host", "h1:198.51.100.7",
        "--hostname", "web", "--domainname", "example.test",
    ];

    private const string HostsHead =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n" +
        "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    private readonly DaemonUnderTest _d;
    public DnsOptionsTests(Daemon fixture) => _d = fixture.D;

    private string In(string container, params string[] command) => _d.CliOk(["exec", container, .. command]);

    [Fact]
    public void On_a_user_defined_network_the_resolver_serves_and_the_files_hold_the_options()
    {
        _d.RunDetached([.. Options, "--name", "onapp", "--network", "app", "--ip", "10.93.0.10", "busybox", "sleep", "1000"]);
        try
        {
            Assert.Equal("nameserver 169.254.53.53\nsearch example.test\noptions ndots:2\n", In("onapp", "cat", "/etc/resolv.conf"));
            Assert.Equal(HostsHead + "198.51.100.7\th1\n10.93.0.10\tweb.example.test web\n", In("onapp", "cat", "/etc/hosts"));
            Assert.Equal("web\n", In("onapp", "hostname"));
            Assert.Equal("web\n", In("onapp", "cat", "/etc/hostname"));
            Assert.Equal("example.test\n", In("onapp", "cat", "/proc/sys/kernel/domainname"));

            var inspect = _d.InspectContainer("onapp");
            var host = inspect.GetProperty("HostConfig");
            Assert.Equal(["192.0.2.53"], Strings(host.GetProperty("Dns")));
            Assert.Equal(["example.test"], Strings(host.GetProperty("DnsSearch")));
            Assert.Equal(["ndots:2"], Strings(host.GetProperty("DnsOptions")));
            Assert.Equal(["h1:198.51.100.7"], Strings(host.GetProperty("ExtraHosts")));
            Assert.Equal(("web", "example.test"),
                (inspect.GetProperty("Config").GetProperty("Hostname").GetString(), inspect.GetProperty("Config").GetProperty("Domainname").GetString()));
        }
        finally { _d.Cli("rm", "-f", "onapp"); }
    }

    [Fact]
    public void On_the_default_network_the_options_replace_the_hosts_and_without_them_the_host_file_is_kept()
    {
        _d.RunDetached([.. Options, "--name", "ondefault", "busybox", "sleep", "1000"]);
        _d.RunDetached("--name", "plain", "busybox", "sleep", "1000");
        try
        {
            Assert.Equal("nameserver 192.0.2.53\nsearch example.test\noptions ndots:2\n", In("ondefault", "cat", "/etc/resolv.conf"));
            string ip = _d.IpOf("ondefault");
            Assert.Equal(HostsHead + $"198.51.100.7\th1\n{ip}\tweb.example.test web\n", In("ondefault", "cat", "/etc/hosts"));
            Assert.Equal("web\n", In("ondefault", "hostname"));

            // No option: the host's file without its loopback server.
            Assert.Equal("nameserver 192.0.2.1\nsearch lan\noptions edns0\n", In("plain", "cat", "/etc/resolv.conf"));
            string id = _d.InspectContainer("plain").GetProperty("Id").GetString()!;
            Assert.Equal(HostsHead + $"{_d.IpOf("plain")}\t{id[..12]}\n", In("plain", "cat", "/etc/hosts"));
            Assert.Equal(id[..12] + "\n", In("plain", "hostname"));
        }
        finally { _d.Cli("rm", "-f", "ondefault", "plain"); }
    }

    [Fact]
    public void The_docker_cli_sets_the_same_options_and_host_gateway_is_the_networks_gateway()
    {
        var r = _d.Docker(["run", "-d", .. Options, "--add-host", "gw=host-gateway", "--dns-opt", "edns0", "--name", "bydocker",
            "--network", "app", "--ip", "10.93.0.20", "busybox", "sleep", "1000"]);
        Assert.True(r.ExitCode == 0, $"docker run exited {r.ExitCode}\n{r.Stderr}\ndaemon log:\n{_d.Logs}");
        try
        {
            Assert.Equal("nameserver 169.254.53.53\nsearch example.test\noptions ndots:2 edns0\n", DockerOk("exec", "bydocker", "cat", "/etc/resolv.conf"));
            Assert.Equal(HostsHead + "198.51.100.7\th1\n10.93.0.1\tgw\n10.93.0.20\tweb.example.test web\n", DockerOk("exec", "bydocker", "cat", "/etc/hosts"));
            Assert.Equal("web\n", DockerOk("exec", "bydocker", "hostname"));
            Assert.Equal("[192.0.2.53] [example.test] [ndots:2 edns0] [h1:198.51.100.7 gw:host-gateway]\n",
                DockerOk("inspect", "-f", "{{.HostConfig.Dns}} {{.HostConfig.DnsSearch}} {{.HostConfig.DnsOptions}} {{.HostConfig.ExtraHosts}}", "bydocker"));
        }
        finally { _d.Docker("rm", "-f", "bydocker"); }
    }

    [Theory]
    [InlineData("""{"Dns":["8.8.8"]}""", "DNS server \"8.8.8\" (--dns) is not an IP address")]
    [InlineData("""{"ExtraHosts":["h1"]}""", "extra host \"h1\" (--add-host) has no address")]
    [InlineData("""{"ExtraHosts":["bad name:198.51.100.7"]}""", "name \"bad name\" is not a host name")]
    [InlineData("""{"DnsSearch":["example.test\nnameserver 203.0.113.1"]}""", "(--dns-search) is not valid")]
    [InlineData("""{"DnsOptions":["ndots:x"]}""", "DNS option \"ndots:x\" (--dns-option) is not valid")]
    public async Task A_bad_value_over_the_api_is_refused_with_400_naming_it_and_nothing_is_made(string hostConfig, string expected)
    {
        var before = ContainerTraces.Of(_d);
        using var http = _d.Http();
        var body = $$"""{"Image":"busybox","Cmd":["true"],"HostConfig":{{hostConfig}}}""";
        var r = await http.PostAsync("/containers/create?name=bad", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using var error = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Contains(expected, error.RootElement.GetProperty("message").GetString());
        ContainerTraces.AssertBackTo(_d, before);
    }

    private static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()).ToList();

    private string DockerOk(params string[] args)
    {
        var r = _d.Docker(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)} exited {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        return r.Stdout;
    }
}
