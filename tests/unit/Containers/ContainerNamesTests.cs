using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Networks.Dns;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// When a container's names are published to the resolver and withdrawn (issue 13, "fresh"): from the moment `start`
/// returns until its exit is recorded or `rm` returns; never on the default network; a start whose names cannot be
/// published fails and leaves the container stopped; a reconcile gives the resolver the database's whole table.
/// </summary>
public sealed class ContainerNamesTests
{
    [Fact]
    public async Task A_started_container_on_a_user_defined_network_answers_to_its_name_short_id_and_hostname()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        var view = await lab.Containers.CreateAsync(new() { Name = "db", Image = "busybox", Network = "app", Spec = new() { Hostname = "primary" } });
        Assert.Empty(lab.Resources.Names);

        await lab.Containers.StartAsync("db");

        var names = Assert.Single(lab.Resources.Names.Values);
        var endpoint = Assert.Single(names.Endpoints);
        Assert.Equal(["db", view.Id[..12], "primary"], endpoint.Names);
        Assert.Equal("10.89.0.2", endpoint.Ip.ToString());
        Assert.False(endpoint.Internal);
    }

    [Fact]
    public async Task A_container_on_the_default_network_publishes_no_names()
    {
        await using var lab = new ContainerLab();
        await lab.RunAsync("web");
        Assert.Empty(lab.Resources.Names);
    }

    [Fact]
    public async Task Names_are_withdrawn_when_the_exit_is_recorded_and_published_again_at_the_next_start()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app", isInternal: true);
        var db = await lab.RunAsync("db", "app");
        Assert.True(Assert.Single(lab.Resources.Names.Values).Endpoints[0].Internal);

        lab.Runtime.Exit(db.Id, 0);
        await lab.RecordExitAsync(db.Id);
        Assert.Empty(lab.Resources.Names);

        await lab.Containers.StartAsync("db");
        Assert.Single(lab.Resources.Names);
    }

    [Fact]
    public async Task Rm_withdraws_the_names_before_anything_else_goes()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.RunAsync("db", "app");
        lab.Resources.FailAt = "withdraw names";

        var e = await Assert.ThrowsAsync<TeardownException>(() => lab.Containers.RemoveAsync("db", force: true));

        Assert.Contains("names", e.Message);
        Assert.Single(lab.Resources.Names);
        await lab.Containers.RemoveAsync("db", force: true);
        Assert.Empty(lab.Resources.Names);
    }

    [Fact]
    public async Task A_start_whose_names_cannot_be_published_fails_and_leaves_the_container_stopped()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.CreateAsync("db", "app");
        lab.Resources.FailAt = "names";

        await Assert.ThrowsAnyAsync<Exception>(() => lab.Containers.StartAsync("db"));

        Assert.Empty(lab.Resources.Names);
        Assert.EndsWith("--\ndb Exited 125\n", await lab.DumpAsync());
    }

    [Fact]
    public async Task A_reconcile_gives_the_resolver_the_running_containers_of_the_database()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        var db = await lab.RunAsync("db", "app");
        await lab.CreateAsync("idle", "app");
        lab.Resources.Names.Clear(); // a resolver that lost its table
        lab.Resources.Names["stale"] = new ContainerNames("stale", [], [], []);

        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Equal([db.Id], lab.Resources.Names.Keys);
    }

    [Fact]
    public async Task The_containers_own_upstreams_and_added_hosts_go_to_the_resolver_ipv4_only_with_host_gateway_resolved()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.Containers.CreateAsync(new()
        {
            Name = "web", Image = "busybox", Network = "app",
            Spec = new() { Dns = ["192.0.2.53", "2001:db8::53"], ExtraHosts = ["h1:198.51.100.7", "gw:host-gateway", "v6:2001:db8::2"] },
        });

        await lab.Containers.StartAsync("web");

        var names = Assert.Single(lab.Resources.Names.Values);
        Assert.Equal(["192.0.2.53"], names.Dns.Select(a => a.ToString()));
        Assert.Equal(["h1=198.51.100.7", "gw=10.89.0.1"], names.Hosts.Select(h => $"{h.Name}={h.Ip}"));
    }

    [Fact]
    public async Task Connect_publishes_the_names_on_the_new_network_with_its_aliases_and_disconnect_withdraws_them_first()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.AddNetworkAsync("back");
        await lab.RunAsync("db", "app");

        await lab.Containers.ConnectAsync("back", "db", null, ["store"]);

        var names = Assert.Single(lab.Resources.Names.Values);
        Assert.Equal(2, names.Endpoints.Count);
        Assert.Contains("store", names.Endpoints[1].Names);
        Assert.DoesNotContain("store", names.Endpoints[0].Names);

        await lab.Containers.DisconnectAsync("app", "db", force: false);

        var left = Assert.Single(Assert.Single(lab.Resources.Names.Values).Endpoints);
        Assert.Contains("store", left.Names);
    }

    [Fact]
    public async Task A_loopback_dns_server_on_a_user_defined_network_is_refused_by_name_and_nothing_is_made()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");

        var e = await Assert.ThrowsAsync<EngineException>(() => lab.Containers.CreateAsync(new()
        {
            Name = "web", Image = "busybox", Network = "app", Spec = new() { Dns = ["127.0.0.53"] },
        }));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("--dns 127.0.0.53", e.Message);
        Assert.Contains("network 'app'", e.Message);
        Assert.Equal("leases: \nmounts: 0\nnetns: 0\nendpoints: 0", lab.Resources.Dump());
        // On the default network the server goes into resolv.conf, where the container's own loopback is meant.
        await lab.Containers.CreateAsync(new() { Name = "plain", Image = "busybox", Spec = new() { Dns = ["127.0.0.53"] } });
    }
}
