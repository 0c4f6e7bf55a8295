namespace MyDocker.UnitTests.Networks;

/// <summary>
/// The crash matrix of tests/e2e/Networks/NetworkCrashTests.cs without root: network create and remove stopped dead at
/// every crash point, then a restart (its reconcile) must leave the kernel exactly as it was without the operation.
/// </summary>
public sealed class NetworkCrashRollbackTests
{
    public static TheoryData<string> CreateSteps => new()
    {
        "network-create:recorded", "network-create:bridge-created", "network-create:alias-set",
        "network-create:link-up", "network-create:firewall-added", "network-create:pool-opened",
    };

    public static TheoryData<string> RemoveSteps => new()
    {
        "network-remove:marked", "network-remove:firewall-removed", "network-remove:kernel-done",
    };

    /// <summary>A fresh host: lo only, forwarding off, no table.</summary>
    private const string Idle = """
        lo               UP             127.0.0.1/8
        --
        net.ipv4.ip_forward=0
        --

        """;

    [Theory]
    [MemberData(nameof(CreateSteps))]
    public async Task Killed_during_create_then_restarted_leaves_the_kernel_as_it_was(string step)
    {
        await using var lab = await NetworkLab.StartAsync();
        var survivor = await lab.CreateAsync("survivor", "10.50.0.0/24", "br-survivor");
        string clean = lab.Kernel(survivor.Network.Id);

        await lab.CrashDuringAsync(step, n => lab.CreateAsync("victim", "10.60.0.0/24", "br-victim"));
        var restart = await lab.RestartAsync();

        Assert.Empty(restart.Failures);
        Assert.Equal(["survivor"], (await lab.Networks.ListAsync()).Select(v => v.Network.Name));
        await lab.SettleAsync();
        Assert.Equal(clean, lab.Kernel(survivor.Network.Id));
        // The name, subnet and bridge name are free again.
        await lab.CreateAsync("victim", "10.60.0.0/24", "br-victim");
    }

    [Theory]
    [MemberData(nameof(RemoveSteps))]
    public async Task Killed_during_remove_then_restarted_finishes_the_removal(string step)
    {
        await using var lab = await NetworkLab.StartAsync();
        await lab.CreateAsync("victim", "10.70.0.0/24", "br-victim");

        await lab.CrashDuringAsync(step, n => n.RemoveAsync("victim"));
        var restart = await lab.RestartAsync();

        Assert.Empty(restart.Failures);
        Assert.Empty(await lab.Networks.ListAsync());
        await lab.SettleAsync();
        Assert.Equal(Idle, lab.Kernel());
        // The record is gone too: its name, subnet and bridge name are free again.
        await lab.CreateAsync("victim", "10.70.0.0/24", "br-victim");
    }

    [Fact]
    public async Task A_network_created_and_removed_leaves_an_idle_kernel()
    {
        await using var lab = await NetworkLab.StartAsync();
        Assert.Equal(Idle, lab.Kernel());
        var web = await lab.CreateAsync("web", "10.1.0.0/24", "br-web");
        Assert.Equal("""
            lo               UP             127.0.0.1/8
            br-web           UP             10.1.0.1/24 <bridge> alias mydocker:net:<id>
            10.1.0.0/24 dev br-web
            --
            net.ipv4.ip_forward=1
            br-web: route_localnet=1 disable_ipv6=1
            --
            table ip mydocker
              set bridges: "br-web"
              map hairpin: "br-web" : jump hp_br-web
              set internal_bridges:
              set masq_bridges: "br-web"
              map ports_addr:
              map ports_any:
              set same_bridge: "br-web" . "br-web"
              chain forward (filter hook forward priority filter): iifname . oifname @same_bridge accept; iifname @internal_bridges drop; oifname @internal_bridges drop; oifname @bridges ct status dnat accept; iifname @bridges oifname @bridges drop; oifname @bridges ct state established,related accept; oifname @bridges drop
              chain guard (filter hook prerouting priority raw): iifname @bridges ip daddr 127.0.0.0/8 drop; ip daddr 169.254.53.53 iifname != @bridges iifname != "lo" drop; ip daddr 169.254.53.53 fib saddr . iif oif missing drop
              chain host_routing (filter hook forward priority filter): iifname != @bridges oifname != @bridges drop
              chain hp_br-web: ip saddr 10.1.0.0/24 masquerade
              chain output (nat hook output priority -100): ip daddr 169.254.53.53 return; dnat ip to ip daddr . meta l4proto . th dport map @ports_addr; fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
              chain postrouting (nat hook postrouting priority srcnat): ct status dnat oifname vmap @hairpin; ct status dnat oifname @bridges fib saddr type local masquerade; iifname @masq_bridges oifname != @bridges masquerade
              chain prerouting (nat hook prerouting priority dstnat): ip daddr 127.0.0.0/8 return; ip daddr 169.254.53.53 return; dnat ip to ip daddr . meta l4proto . th dport map @ports_addr; fib daddr type local dnat ip to meta l4proto . th dport map @ports_any

            """, lab.Kernel(web.Network.Id));

        await lab.Networks.RemoveAsync("web");
        await lab.SettleAsync();
        // The bridge is gone; the table and forwarding stay until a reconcile finds no network needs them.
        Assert.DoesNotContain("br-web", lab.Netlink.Dump());
        Assert.DoesNotContain("br-web", lab.Nft.Dump());
        await lab.Reconciler.RunAsync();
        Assert.Equal(Idle, lab.Kernel());
    }
}
