using System.Diagnostics;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall;
using Xunit.Abstractions;

namespace MyDocker.E2ETests.Firewall;

/// <summary>The firewall against the real kernel, each test in its own namespace (libnftables context created inside it).</summary>
public sealed class NftFirewallKernelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestNetns _ns = new("nft");
    private LibNftables? _lib;

    private LibNftables Lib => _lib ??= _ns.Run(() => new LibNftables());
    private NftFirewall Firewall => new(Lib);

    private static readonly FirewallNetwork A = new("md-a", "10.0.0.0/24", false);
    private static readonly FirewallNetwork B = new("md-b", "10.0.1.0/24", true);

    private string Listing() => _ns.Exec("nft", "list", "table", "ip", "mydocker");

    public void Dispose()
    {
        _lib?.Dispose();
        _ns.Dispose();
    }

    [Fact]
    public void Rebuild_applies_the_table_with_its_chains_and_elements()
    {
        Firewall.Rebuild([A, B]);
        var text = Listing();
        Assert.Contains("comment \"owned by mydockerd\"", text);
        Assert.Contains("chain forward", text);
        Assert.Contains("type filter hook forward priority filter; policy accept;", text);
        Assert.Contains("chain postrouting", text);
        Assert.Contains("iifname @masq_bridges oifname != @bridges masquerade", text);
        Assert.Contains("\"md-b\" . \"md-b\"", text);
    }

    [Fact]
    public void Rebuild_replaces_stale_elements_and_keeps_one_copy_of_each_rule()
    {
        var fw = Firewall;
        fw.Rebuild([A, B]);
        fw.Rebuild([A]);
        var text = Listing();
        Assert.DoesNotContain("md-b", text);
        Assert.Single(text.Split('\n'), l => l.Contains("oifname != @bridges masquerade"));
        Assert.Single(text.Split('\n'), l => l.Contains("ip saddr 10.") && l.Contains("masquerade"));
        var state = fw.Read();
        Assert.Equal(["md-a"], state.Bridges);
        Assert.Empty(state.InternalBridges);
    }

    [Fact]
    public void AddNetwork_creates_a_missing_table_and_twice_is_fine()
    {
        var fw = Firewall;
        fw.AddNetwork(A);
        fw.AddNetwork(A);
        fw.AddNetwork(B);
        var state = fw.Read();
        Assert.True(state.TableExists);
        Assert.Equal(["md-a", "md-b"], state.Bridges.Order());
        Assert.Equal(["md-b"], state.InternalBridges);
        Assert.Equal(["md-a"], state.MasqueradeBridges);
        Assert.Contains("chain forward", Listing());
    }

    [Fact]
    public void AddNetwork_of_a_network_whose_kind_changed_moves_it_between_sets()
    {
        var fw = Firewall;
        fw.AddNetwork(A);
        fw.AddNetwork(A with { Internal = true });
        var state = fw.Read();
        Assert.Equal(["md-a"], state.InternalBridges);
        Assert.Empty(state.MasqueradeBridges);
    }

    [Fact]
    public void RemoveNetwork_twice_is_fine_and_without_a_table_too()
    {
        var fw = Firewall;
        fw.RemoveNetwork(A); // no table at all
        Assert.False(fw.Read().TableExists);
        fw.Rebuild([A, B]);
        fw.RemoveNetwork(B);
        fw.RemoveNetwork(B);
        var state = fw.Read();
        Assert.True(state.TableExists);
        Assert.Equal(["md-a"], state.Bridges);
        Assert.Empty(state.InternalBridges);
        Assert.DoesNotContain("md-b", Listing());
    }

    [Fact]
    public void Read_reflects_kernel_state_including_changes_made_behind_our_back()
    {
        var fw = Firewall;
        Assert.Equal(FirewallState.Missing.TableExists, fw.Read().TableExists);
        Assert.Equal("", fw.ListRulesetText());
        fw.Rebuild([A, B]);
        var state = fw.Read();
        Assert.True(state.TableExists);
        Assert.Equal(["md-a", "md-b"], state.Bridges.Order());
        Assert.Equal(["md-b"], state.InternalBridges);
        Assert.Equal(["md-a"], state.MasqueradeBridges);
        Assert.Contains("chain postrouting", fw.ListRulesetText());

        _ns.Exec("nft", "delete", "chain", "ip", "mydocker", "postrouting");
        Assert.False(fw.Read().TableExists);
        fw.Rebuild([A, B]);
        Assert.True(fw.Read().TableExists);
    }

    [Fact]
    public void The_rules_listing_leaves_out_map_elements_which_Read_has()
    {
        var fw = Firewall;
        fw.Rebuild([A]);
        var mapping = new PortMapping("tcp", null, 18080, System.Net.IPAddress.Parse("10.0.0.2"), 80);
        fw.AddPorts([mapping]);
        Assert.Contains("tcp . 18080 : 10.0.0.2 . 80", Listing()); // nft's own listing has the element;
        string rules = fw.ListRulesetText();
        Assert.Contains("map @ports_any", rules); // ...the terse one has the rules that read it, not the element
        Assert.DoesNotContain("18080", rules);
        Assert.Contains(mapping, fw.Read().Ports);
    }

    [Fact]
    public void A_batch_with_one_bad_command_is_rejected_whole_and_leaves_the_previous_state()
    {
        Firewall.Rebuild([A]);
        var before = Listing();
        const string batch = "add element ip mydocker bridges { \"md-x\" }\nadd element ip mydocker no_such_set { \"md-y\" }\n";
        var e = Assert.Throws<NftException>(() => Lib.Run(batch));
        // libnftables 1.0.6 quotes the FIRST line of a multi-line buffer under its error (with the caret columns of
        // the failing line), so only the error itself is checked here.
        Assert.Contains("No such file or directory", e.Message);
        Assert.Equal(batch, e.Commands);
        Assert.Equal(before, Listing());
        Assert.DoesNotContain("md-x", Listing());
    }

    [Fact]
    public void LibNftables_returns_text_or_json_and_is_bound_to_its_namespace()
    {
        Firewall.Rebuild([A]);
        Assert.StartsWith("table ip mydocker", Lib.Run("list table ip mydocker"));
        Assert.StartsWith("{\"nftables\"", Lib.Run("list table ip mydocker", json: true));
        // Used here from the test thread, which is in the host namespace: the context still talks to the test netns.
        Assert.Contains("md-a", Lib.Run("list set ip mydocker bridges"));
        // An error does not leak into the next call's output.
        Assert.Throws<NftException>(() => Lib.Run("list table ip no_such_table"));
        Assert.DoesNotContain("Error", Lib.Run("list tables"));
    }

    [Fact]
    public void The_table_is_not_visible_in_the_host_namespace()
    {
        var bridge = "mdt" + Guid.NewGuid().ToString("N")[..10];
        Firewall.Rebuild([new FirewallNetwork(bridge, "10.0.0.0/24", false)]);
        Assert.Contains(bridge, Listing());
        var (_, hostTables, _) = Command.TryRun("nft", ["list", "ruleset"]);
        Assert.DoesNotContain(bridge, hostTables);
    }

    [Fact]
    public void Measure_batches()
    {
        var fw = Firewall;
        fw.Rebuild([]);
        var one = new FirewallNetwork("md-one", "10.200.0.0/24", false);
        var add = new List<double>();
        var remove = new List<double>();
        for (int i = 0; i < 50; i++)
        {
            var sw = Stopwatch.StartNew();
            fw.AddNetwork(one);
            add.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            fw.RemoveNetwork(one);
            remove.Add(sw.Elapsed.TotalMilliseconds);
        }

        var hundred = Enumerable.Range(0, 100)
            .Select(i => new FirewallNetwork($"md-n{i}", $"10.{100 + i / 256}.{i % 256}.0/24", i % 10 == 0)).ToList();
        var rebuild = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            var sw = Stopwatch.StartNew();
            fw.Rebuild(hundred);
            rebuild.Add(sw.Elapsed.TotalMilliseconds);
        }
        Assert.Equal(100, fw.Read().Bridges.Count);

        // With 100 networks present, one more network's add/remove.
        var addFull = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            var sw = Stopwatch.StartNew();
            fw.AddNetwork(one);
            fw.RemoveNetwork(one);
            addFull.Add(sw.Elapsed.TotalMilliseconds);
        }

        var thousand = Enumerable.Range(0, 1000)
            .Select(i => new FirewallNetwork($"md-n{i}", $"10.{100 + i / 256}.{i % 256}.0/24", i % 10 == 0)).ToList();
        var sw1000 = Stopwatch.StartNew();
        fw.Rebuild(thousand);
        var rebuild1000 = sw1000.Elapsed.TotalMilliseconds;
        var addFull1000 = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            var sw = Stopwatch.StartNew();
            fw.AddNetwork(one);
            fw.RemoveNetwork(one);
            addFull1000.Add(sw.Elapsed.TotalMilliseconds);
        }
        Assert.Equal(1000, fw.Read().Bridges.Count);

        output.WriteLine($"AddNetwork (1 network, table otherwise empty): median {Median(add):F2} ms over {add.Count}");
        output.WriteLine($"RemoveNetwork (1 network): median {Median(remove):F2} ms over {remove.Count}");
        output.WriteLine($"Rebuild with 100 networks: median {Median(rebuild):F2} ms over {rebuild.Count}");
        output.WriteLine($"Add+Remove of 1 network with 100 present: median {Median(addFull):F2} ms over {addFull.Count}");
        output.WriteLine($"Rebuild with 1000 networks: {rebuild1000:F2} ms (once)");
        output.WriteLine($"Add+Remove of 1 network with 1000 present: median {Median(addFull1000):F2} ms over {addFull1000.Count}");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
