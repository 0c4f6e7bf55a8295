using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>Every bad input is refused with a clear error, a non-zero exit code, and nothing changed in the kernel or the database.</summary>
public sealed class NetworkBadInputTests : IClassFixture<NetworkBadInputTests.Daemon>
{
    public sealed class Daemon : IDisposable
    {
        public DaemonUnderTest D { get; } = new("bad", start: false);
        public Daemon()
        {
            // The host's resolver, as the daemon is told to read it (M8): 192.0.2.53.
            string resolvConf = Path.Combine(D.Root, "resolv.conf");
            File.WriteAllText(resolvConf, "nameserver 192.0.2.53\n");
            D.ExtraEnv["MYDOCKER_MyDocker__ResolvConfPath"] = resolvConf;
            D.Start();
            D.CliOk("network", "create", "--subnet", "10.1.0.0/16", "existing");
            // A host interface with an address in the daemon's namespace: 198.51.100.0/24 is the host's.
            D.Netns.Exec("ip", "link", "add", "mdt-lan0", "type", "bridge");
            D.Netns.Exec("ip", "addr", "add", "198.51.100.1/24", "dev", "mdt-lan0");
        }
        public void Dispose() => D.Dispose();
    }

    private readonly DaemonUnderTest _d;
    public NetworkBadInputTests(Daemon fixture) => _d = fixture.D;

    public static TheoryData<string[], string> BadCreates => new()
    {
        { ["--subnet", "10.0.0.300/24", "n1"], "300" },
        { ["--subnet", "abc", "n1"], "abc" },
        { ["--subnet", "10.0.0.0/33", "n1"], "/33" },
        { ["--subnet", "10.0.0.0/31", "n1"], "/30" },
        { ["--subnet", "10.0.0.0/32", "n1"], "/30" },
        { ["--subnet", "10.0.0.0/24", "--gateway", "10.0.1.1", "n1"], "outside" },
        { ["--subnet", "10.0.0.0/24", "--gateway", "10.0.0.0", "n1"], "network address" },
        { ["--subnet", "10.0.0.0/24", "--gateway", "10.0.0.255", "n1"], "broadcast" },
        { ["--subnet", "10.0.0.0/24", "--ip-range", "10.0.1.0/25", "n1"], "not inside" },
        { ["--subnet", "10.1.0.0/16", "n1"], "existing" },
        { ["--subnet", "10.0.0.0/8", "n1"], "existing" },
        { ["--subnet", "10.1.2.0/24", "n1"], "existing" },
        { ["--subnet", "198.51.100.128/25", "n1"], "mdt-lan0" },
        { ["--subnet", "169.254.169.252/30", "n1"], "link-local" },
        { ["--subnet", "127.0.0.0/24", "n1"], "loopback" },
        { ["--subnet", "224.0.0.0/24", "n1"], "multicast" },
        { ["--subnet", "192.0.2.0/24", "n1"], "name server 192.0.2.53" },
        { ["--subnet", "10.2.0.0/24", "existing"], "already exists" },
        { [""], "empty" },
        { [new string('a', 65)], "limit" },
        { ["a/b"], "'/'" },
        { ["a..b"], "'..'" },
        { ["a b"], "space" },
        { ["a\tb"], "control" },
        { ["bad\u0001name"], "control" },
        { ["--driver", "overlay", "n1"], "overlay" },
        { ["-o", "bridge.name=abcdefghijklmnop", "n1"], "15" },
        { ["-o", "bridge.name=lo", "n1"], "lo" },
        { ["-o", "bridge.name=mdt-lan0", "n1"], "mdt-lan0" },
        { ["--gateway", "10.9.0.1", "n1"], "--subnet" },
        { ["-o", "com.docker.network.driver.mtu=9000", "n1"], "not supported" },
    };

    [Theory]
    [MemberData(nameof(BadCreates))]
    public void Bad_network_create_is_refused_and_changes_nothing(string[] args, string mentions)
    {
        var before = KernelSnapshot.Of(_d.Netns).Describe();
        var r = _d.Cli(["network", "create", .. args]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("Error:", r.Stderr.TrimStart());
        Assert.Contains(mentions, r.Stderr);
        Assert.Equal(before, KernelSnapshot.Of(_d.Netns).Describe());
        Assert.Equal(["existing"], _d.NetworkNames());
    }

    [Fact]
    public void Removing_a_network_that_does_not_exist_names_it()
    {
        var r = _d.Cli("network", "rm", "nosuchnet");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("nosuchnet", r.Stderr);
        Assert.Contains("not found", r.Stderr);
    }

    [Fact]
    public async Task The_api_applies_the_same_rules_with_docker_status_codes()
    {
        using var http = _d.Http();
        async Task<(int, string)> Post(string json)
        {
            var resp = await http.PostAsync("/v1.47/networks/create", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
            return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
        }
        var (code, body) = await Post("""{"Name":"n1","IPAM":{"Config":[{"Subnet":"10.0.0.300/24"}]}}""");
        Assert.Equal(400, code);
        Assert.StartsWith("{\"message\":", body);
        (code, body) = await Post("""{"Name":"meta","IPAM":{"Config":[{"Subnet":"169.254.169.252/30"}]}}""");
        Assert.Equal(400, code);
        Assert.Contains("169.254.0.0/16", body);
        (code, body) = await Post("""{"Name":"dns","IPAM":{"Config":[{"Subnet":"192.0.2.0/24"}]}}""");
        Assert.Equal(409, code);
        Assert.Contains("name server 192.0.2.53", body);
        (code, body) = await Post("""{"Name":"existing"}""");
        Assert.Equal(409, code);
        Assert.Contains("already exists", body);
        (code, _) = await Post("not json");
        Assert.Equal(400, code);
        var del = await http.DeleteAsync("/v1.47/networks/nosuch");
        Assert.Equal(404, (int)del.StatusCode);
        var tooNew = await http.GetAsync("/v9.99/networks");
        Assert.Equal(400, (int)tooNew.StatusCode);
        Assert.Contains("too new", await tooNew.Content.ReadAsStringAsync());
        Assert.Equal(["existing"], _d.NetworkNames());
    }
}
