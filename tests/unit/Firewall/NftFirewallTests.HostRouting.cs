using MyDocker.Engine.Networks.Firewall;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Firewall;

/// <summary>H1: while the engine owns ip_forward, the table drops forwarded traffic that touches no engine bridge.</summary>
public partial class NftFirewallTests
{
    private const string HostRoutingChain = """
          chain host_routing {
            type filter hook forward priority filter; policy accept;
            iifname != @bridges oifname != @bridges drop
          }
        """;

    private const string WebElement = "[[{\"concat\": [\"tcp\", 8080]}, {\"concat\": [\"10.0.0.2\", 80]}]]";

    [Fact]
    public void H1_a_rebuild_holds_the_host_routing_drop_exactly_while_the_engine_owns_forwarding()
    {
        bool owned = true;
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake, dropHostRouting: () => owned);
        fw.Rebuild([A]);
        Assert.Contains(HostRoutingChain, fake.Applied.Last());
        owned = false;
        fw.Rebuild([A]);
        Assert.DoesNotContain("host_routing", fake.Applied.Last());
        new NftFirewall(fake).Rebuild([A]);
        Assert.DoesNotContain("host_routing", fake.Applied.Last());
    }

    [Fact]
    public void H1_DropHostRouting_fills_its_chain_in_one_batch_that_can_run_twice()
    {
        var fake = new FakeNftExecutor().On(ListTables, OurTableJson);
        var fw = new NftFirewall(fake, dropHostRouting: () => true);
        fw.DropHostRouting();
        Assert.Equal("""
            add chain ip mydocker host_routing { type filter hook forward priority filter; policy accept; }
            flush chain ip mydocker host_routing
            add rule ip mydocker host_routing iifname != @bridges oifname != @bridges drop

            """, fake.Applied.Last());
    }

    [Fact]
    public void H1_DropHostRouting_without_a_table_leaves_it_to_the_build()
    {
        var fake = new FakeNftExecutor().On(ListTables, NoTablesJson).FailWhen(c => c.StartsWith("add element", StringComparison.Ordinal));
        var fw = new NftFirewall(fake, dropHostRouting: () => true);
        fw.DropHostRouting();
        Assert.Equal([ListTables], fake.Applied);
        fw.AddNetwork(A); // the first network after a flush builds the table, with the drop
        Assert.Contains(HostRoutingChain, fake.Applied.Last());
    }

    [Fact]
    public void H1_Restore_puts_back_a_missing_drop_and_takes_out_one_that_is_no_longer_owned()
    {
        bool owned = true;
        var fake = new FakeNftExecutor();
        var fw = new NftFirewall(fake, dropHostRouting: () => owned);
        fw.Rebuild([A]);
        fw.AddPorts([Web]);

        fake.On(ListTable, RealisticTable("md-a", "10.0.0.0/24", WebElement, hostRoutingRules: 1));
        Assert.Null(fw.Restore());
        fake.On(ListTable, RealisticTable("md-a", "10.0.0.0/24", WebElement));
        Assert.Contains("rebuilt", fw.Restore());
        Assert.Contains(HostRoutingChain, fake.Applied.Last());

        owned = false; // the administrator deleted the record: this host routes on purpose
        fake.On(ListTable, RealisticTable("md-a", "10.0.0.0/24", WebElement, hostRoutingRules: 1));
        Assert.Contains("rebuilt", fw.Restore());
        Assert.DoesNotContain("host_routing", fake.Applied.Last());
    }
}
