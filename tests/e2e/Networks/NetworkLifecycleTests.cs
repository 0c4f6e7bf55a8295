using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>The seed's transcript and the network verbs, through the mydocker CLI against a real daemon.</summary>
public sealed class NetworkLifecycleTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("net");

    public void Dispose() => _d.Dispose();

    [Fact]
    public void Seed_create_makes_bridge_gateway_route_and_rules_and_remove_takes_them_away()
    {
        string id = _d.CliOk("network", "create", "--driver", "bridge", "--subnet", "10.10.10.1/24", "testbr").Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);

        var net = _d.InspectNetwork("testbr");
        Assert.Equal(id, net.GetProperty("Id").GetString());
        var ipam = net.GetProperty("IPAM").GetProperty("Config")[0];
        Assert.Equal("10.10.10.0/24", ipam.GetProperty("Subnet").GetString());
        Assert.Equal("10.10.10.1", ipam.GetProperty("Gateway").GetString());
        string bridge = net.GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString()!;
        Assert.True(bridge.Length <= 15 && bridge.StartsWith("md-"), bridge);
        Assert.Equal(253, net.GetProperty("IpamUsage").GetProperty("Total").GetInt64());

        var k = KernelSnapshot.Of(_d.Netns);
        Assert.Contains(k.Links, l => l.Name == bridge && l.Kind == "bridge" && l.Up && l.Alias == "mydocker:net:" + id);
        Assert.Contains((bridge, "10.10.10.1/24"), k.Addresses);
        Assert.Contains(("10.10.10.0/24", bridge), k.Routes);
        Assert.Contains($"\"{bridge}\"", k.NftTable);
        Assert.Contains("masquerade", k.NftTable);
        Assert.Equal("1", _d.Netns.Exec("cat", "/proc/sys/net/ipv4/ip_forward").Trim());

        // The API socket is root-only: whoever can reach it can rewire the host's network.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_d.Socket));

        string ls = _d.CliOk("network", "list");
        Assert.Contains("testbr", ls);
        Assert.Contains("testbr", _d.CliOk("network", "ls", "--filter", "name=test"));
        Assert.DoesNotContain("testbr", _d.CliOk("network", "ls", "-f", "name=zzz"));
        Assert.Contains("10.10.10.0/24", ls);
        Assert.Contains("bridge", ls);

        _d.CliOk("network", "remove", "testbr");
        // Address, route and rules go before the command returns; the device itself a moment later (LinkReaper).
        var after = KernelSnapshot.Of(_d.Netns);
        Assert.DoesNotContain(after.Addresses, a => a.Cidr.StartsWith("10.10.10."));
        Assert.DoesNotContain(after.Routes, r => r.Dst.StartsWith("10.10.10."));
        Assert.DoesNotContain(bridge, after.NftTable);
        Assert.DoesNotContain("testbr", _d.CliOk("network", "ls"));
        _d.Eventually(() => !KernelSnapshot.Of(_d.Netns).Bridges.Any(), $"bridge {bridge} deleted");
        // With no network left, reconciling removes the engine's nftables table too: an idle engine leaves no trace.
        Assert.Contains("nftables table removed", _d.CliOk("system", "reconcile"));
        Assert.Equal("", KernelSnapshot.Of(_d.Netns).NftTable);
        var missing = _d.Cli("network", "inspect", "testbr");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);
    }

    [Fact]
    public void Networks_without_subnet_get_free_pools_that_skip_host_routes()
    {
        // A host route in the daemon's namespace occupies the second default pool.
        _d.Netns.Exec("ip", "link", "add", "mdt-uplink", "type", "bridge");
        _d.Netns.Exec("ip", "addr", "add", "172.18.5.1/24", "dev", "mdt-uplink");
        _d.CliOk("network", "create", "a");
        _d.CliOk("network", "create", "b");
        Assert.Equal("172.17.0.0/16", Subnet("a"));
        Assert.Equal("172.19.0.0/16", Subnet("b"));
        Assert.Equal("172.19.0.1", _d.InspectNetwork("b").GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Gateway").GetString());
    }

    [Fact]
    public void Internal_network_has_no_masquerade_and_custom_bridge_name_and_ip_range_are_honoured()
    {
        _d.CliOk("network", "create", "--internal", "--subnet", "10.30.0.0/16", "--gateway", "10.30.0.254",
            "--ip-range", "10.30.1.0/24", "-o", "bridge.name=br-inner", "inner");
        var net = _d.InspectNetwork("inner");
        Assert.True(net.GetProperty("Internal").GetBoolean());
        Assert.Equal("10.30.1.0/24", net.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("IPRange").GetString());
        Assert.Equal(256, net.GetProperty("IpamUsage").GetProperty("Total").GetInt64());
        var k = KernelSnapshot.Of(_d.Netns);
        Assert.Contains(k.Links, l => l.Name == "br-inner" && l.Kind == "bridge");
        Assert.Contains(("br-inner", "10.30.0.254/16"), k.Addresses);
        var nft = JsonDocument.Parse(_d.Netns.Exec("nft", "-j", "list", "table", "ip", "mydocker"));
        Assert.Contains("br-inner", SetElements(nft, "internal_bridges"));
        Assert.DoesNotContain("br-inner", SetElements(nft, "masq_bridges"));
        _d.CliOk("network", "rm", "inner");
        // The same device name can be used again at once: the create waits for the old device to go.
        string id2 = _d.CliOk("network", "create", "--subnet", "10.30.0.0/16", "-o", "bridge.name=br-inner", "inner2").Trim();
        Assert.Contains(KernelSnapshot.Of(_d.Netns).Links, l => l.Name == "br-inner" && l.Alias == "mydocker:net:" + id2);
        _d.CliOk("network", "rm", "inner2");
        _d.Eventually(() => KernelSnapshot.Of(_d.Netns).Links.All(l => l.Name != "br-inner"), "br-inner deleted");
    }

    [Fact]
    public void Networks_survive_a_restart_and_removal_by_id_prefix_works()
    {
        string id = _d.CliOk("network", "create", "--subnet", "10.40.0.0/24", "keep").Trim();
        _d.CliOk("network", "create", "--subnet", "10.41.0.0/24", "--internal", "keep2");
        var before = KernelSnapshot.Of(_d.Netns).Describe();
        _d.Restart();
        Assert.Equal(before, KernelSnapshot.Of(_d.Netns).Describe());
        Assert.Equal(id, _d.InspectNetwork("keep").GetProperty("Id").GetString());
        _d.CliOk("network", "rm", id[..10]);
        Assert.Equal(["keep2"], _d.NetworkNames());
    }

    [Fact]
    public async Task Concurrent_creates_never_share_a_subnet_or_a_name()
    {
        using var http = _d.Http();
        Task<HttpResponseMessage> Create(string body) =>
            http.PostAsync("/v1.47/networks/create", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var sameSubnet = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Create($$$"""{"Name":"same{{{i}}}","IPAM":{"Config":[{"Subnet":"10.44.0.0/24"}]}}""")));
        Assert.Single(sameSubnet, r => r.StatusCode == System.Net.HttpStatusCode.Created);
        Assert.All(sameSubnet.Where(r => r.StatusCode != System.Net.HttpStatusCode.Created),
            r => Assert.Equal(System.Net.HttpStatusCode.Conflict, r.StatusCode));

        var sameName = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Create($$$"""{"Name":"dup","IPAM":{"Config":[{"Subnet":"10.45.{{{i}}}.0/24"}]}}""")));
        Assert.Single(sameName, r => r.StatusCode == System.Net.HttpStatusCode.Created);

        var automatic = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Create($$"""{"Name":"auto{{i}}"}""")));
        Assert.All(automatic, r => Assert.Equal(System.Net.HttpStatusCode.Created, r.StatusCode));
        var subnets = Enumerable.Range(0, 8).Select(i => Subnet($"auto{i}")).ToList();
        Assert.Equal(8, subnets.Distinct().Count());
        Assert.Equal(10, KernelSnapshot.Of(_d.Netns).EngineLinks.Count());
    }

    [Fact]
    public void A_second_daemon_on_the_same_data_root_is_refused()
    {
        var second = Command.TryRun("nsenter", ["--net=" + _d.Netns.Path, Artifacts.Daemon, "--data-root", _d.DataRoot,
            "--exec-root", Path.Combine(_d.Root, "exec2"), "-H", "unix://" + Path.Combine(_d.Root, "exec2", "s.sock")]);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("already running", second.Stderr);
        Assert.Contains(_d.DataRoot, second.Stderr);
        _d.CliOk("network", "ls");
    }

    [Fact]
    public void Sigterm_stops_the_daemon_cleanly_and_removes_its_socket()
    {
        Assert.Equal(0, _d.Stop());
        Assert.False(File.Exists(_d.Socket));
        var r = _d.Cli("network", "ls");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Error:", r.Stderr);
    }

    private string Subnet(string name) =>
        _d.InspectNetwork(name).GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString()!;

    internal static List<string> SetElements(JsonDocument nft, string set)
    {
        foreach (var item in nft.RootElement.GetProperty("nftables").EnumerateArray())
            if (item.TryGetProperty("set", out var s) && s.GetProperty("name").GetString() == set)
                return s.TryGetProperty("elem", out var e)
                    ? e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.ToString()).ToList()
                    : [];
        return [];
    }
}
