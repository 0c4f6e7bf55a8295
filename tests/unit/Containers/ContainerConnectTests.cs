using System.Net;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Events;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// `network connect`/`disconnect` and create on several networks over the lab's fakes: interfaces eth0, eth1, … with a
/// lease each, the primary's default route moving when its network goes, every bad request refused with nothing changed,
/// and a crash at each step leaving, after the reconciler, the whole attachment or none (connect) or the disconnect done.
/// </summary>
public sealed class ContainerConnectTests
{
    private static string Endpoints(Container c) =>
        string.Join(" ", c.Endpoints.Select(e => $"{e.Interface}:{e.Ip}{(e.Aliases.Count > 0 ? ":" + string.Join(',', e.Aliases) : "")}"));

    private static async Task<Container> RecordAsync(ContainerLab lab, string name)
    {
        await using var db = lab.State.Create();
        return await db.ResolveContainerAsync(name, default);
    }

    [Fact]
    public async Task A_running_container_gets_the_next_interface_with_its_own_lease_and_loses_it_again()
    {
        await using var lab = new ContainerLab();
        var app = await lab.AddNetworkAsync("app");
        var web = await lab.RunAsync("web");

        var view = await lab.Containers.ConnectAsync("app", "web", null, ["db", "cache"]);

        Assert.Equal("eth0:10.88.0.2 eth1:10.89.0.2:db,cache", Endpoints(view.Container));
        Assert.Equal(["bridge", "app"], view.Container.Endpoints.Select(e => view.NetworksById[e.NetworkId].Name));
        Assert.Contains($"{web.Id}/eth1", lab.Resources.Endpoints);
        Assert.Equal("leases: 10.88.0.2 10.89.0.2\nmounts: 1\nnetns: 1\nendpoints: 2", lab.Resources.Dump().Split("\nnames: ")[0]);
        // Its names on "app" (the default network has none) answer, aliases included; after the disconnect none do.
        Assert.Contains("db=10.89.0.2 cache=10.89.0.2", lab.Resources.Dump());
        Assert.Equal(app.Id, (await RecordAsync(lab, "web")).Endpoints[1].NetworkId);

        await lab.Containers.DisconnectAsync("app", "web", force: false);

        Assert.Equal("eth0:10.88.0.2", Endpoints(await RecordAsync(lab, "web")));
        Assert.Equal("leases: 10.88.0.2\nmounts: 1\nnetns: 1\nendpoints: 1", lab.Resources.Dump());
        Assert.Empty(lab.Resources.DefaultRoutes);
    }

    [Fact]
    public async Task Connect_and_disconnect_publish_Dockers_network_events()
    {
        await using var lab = new ContainerLab();
        var app = await lab.AddNetworkAsync("app");
        var web = await lab.CreateAsync("web");
        using var sub = lab.Events.Subscribe();

        await lab.Containers.ConnectAsync(app.Id, web.Id[..12], null, null);
        await lab.Containers.DisconnectAsync("app", "web", force: false);

        var seen = new List<EngineEvent>();
        while (sub.Live.TryRead(out var e)) seen.Add(e);
        Assert.Equal([(EventKind.Network, EventAction.Connect, app.Id), (EventKind.Network, EventAction.Disconnect, app.Id)],
            seen.Select(e => (e.Kind, e.Action, e.ActorId)));
        Assert.All(seen, e => Assert.Equal(("app", web.Id), (e.Attributes["name"], e.Attributes["container"])));
    }

    [Fact]
    public async Task When_the_primary_network_goes_the_default_route_moves_and_a_new_connect_takes_the_lowest_free_interface()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        var web = await lab.RunAsync("web");
        await lab.Containers.ConnectAsync("app", "web", null, null);

        await lab.Containers.DisconnectAsync("bridge", "web", force: false);

        var record = await RecordAsync(lab, "web");
        Assert.Equal("eth1:10.89.0.2", Endpoints(record));
        Assert.Equal([$"{web.Id[..12]} via 10.89.0.1 dev eth1"], lab.Resources.DefaultRoutes);

        // eth0 is free again; bridge comes back as eth0 but after app, which keeps the default route.
        var view = await lab.Containers.ConnectAsync("bridge", "web", "10.88.0.9", null);
        Assert.Equal("eth1:10.89.0.2 eth0:10.88.0.9", Endpoints(view.Container));
        Assert.Equal(IPAddress.Parse("10.88.0.9"), view.Container.Endpoints[1].StaticIp);
        Assert.Single(lab.Resources.DefaultRoutes);
    }

    [Fact]
    public async Task Create_on_several_networks_makes_eth0_eth1_in_order_with_aliases_and_a_static_address()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.AddNetworkAsync("back");

        var view = await lab.Containers.CreateAsync(new ContainerCreateSpec
        {
            Name = "web", Image = "busybox", Network = "app", Aliases = ["www"],
            MoreNetworks = [new NetworkAttachment("back", "10.90.0.7") { Aliases = ["api"] }, new NetworkAttachment("bridge")],
        });

        Assert.Equal("eth0:10.89.0.2:www eth1:10.90.0.7:api eth2:10.88.0.2", Endpoints(view.Container));
        Assert.Equal("app", view.Network?.Name);
        Assert.Equal(3, lab.Resources.Endpoints.Count);

        await lab.Containers.RemoveAsync("web", force: false);
        Assert.Equal("leases: \nmounts: 0\nnetns: 0\nendpoints: 0", lab.Resources.Dump());
    }

    public static TheoryData<string, string, string?, string[], ErrorKind, string> BadConnects => new()
    {
        { "nonet", "web", null, [], ErrorKind.NotFound, "nonet" },
        { "app", "nobody", null, [], ErrorKind.NotFound, "nobody" },
        { "bridge", "web", null, [], ErrorKind.Forbidden, "container 'web' is already connected to network 'bridge'; to change its address or aliases, disconnect it first (mydocker network disconnect bridge web)" },
        { "app", "web", "10.1.2.3", [], ErrorKind.InvalidArgument, "--ip 10.1.2.3 is outside network 'app' (10.89.0.0/24); give an address inside it or leave --ip out" },
        { "app", "web", "10.89.0", [], ErrorKind.InvalidArgument, "--ip '10.89.0' is not an IPv4 address" },
        { "app", "web", "10.89.0.2", [], ErrorKind.Conflict, "10.89.0.2" },
        { "app", "web", null, ["ok", "not_a_label"], ErrorKind.InvalidArgument, "alias 'not_a_label' for container 'web' contains '_'; give a DNS label such as 'db'" },
        { "app", "web", null, ["-x"], ErrorKind.InvalidArgument, "alias '-x' for container 'web' starts or ends with '-'" },
        { "app", "web", null, ["a.b"], ErrorKind.InvalidArgument, "alias 'a.b' for container 'web' contains '.' (one label only)" },
    };

    [Theory]
    [MemberData(nameof(BadConnects))]
    public async Task A_bad_connect_is_refused_naming_the_object_and_changes_nothing(
        string network, string container, string? ip, string[] aliases, ErrorKind kind, string message)
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.RunAsync("web");
        await lab.RunAsync("holder");
        await lab.Containers.ConnectAsync("app", "holder", "10.89.0.2", null);
        string before = await lab.DumpAsync(), records = Endpoints(await RecordAsync(lab, "web"));

        var e = await Assert.ThrowsAsync<EngineException>(() => lab.Containers.ConnectAsync(network, container, ip, aliases));

        Assert.Equal(kind, e.Kind);
        Assert.Contains(message, e.Message);
        Assert.Equal(before, await lab.DumpAsync());
        Assert.Equal(records, Endpoints(await RecordAsync(lab, "web")));
    }

    [Theory]
    [InlineData("app", "web", ErrorKind.Forbidden, "container 'web' is not connected to network 'app'; see its networks with: mydocker inspect web")]
    [InlineData("bridge", "web", ErrorKind.Forbidden, "network 'bridge' is the only network of container 'web'; connect it to another first (mydocker network connect OTHER web), or remove the container")]
    [InlineData("nonet", "web", ErrorKind.NotFound, "nonet")]
    [InlineData("bridge", "nobody", ErrorKind.NotFound, "nobody")]
    public async Task A_bad_disconnect_is_refused_naming_the_object_and_changes_nothing(string network, string container, ErrorKind kind, string message)
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.RunAsync("web");
        string before = await lab.DumpAsync(), records = Endpoints(await RecordAsync(lab, "web"));

        var e = await Assert.ThrowsAsync<EngineException>(() => lab.Containers.DisconnectAsync(network, container, force: false));

        Assert.Equal(kind, e.Kind);
        Assert.Contains(message, e.Message);
        Assert.Equal(before, await lab.DumpAsync());
        Assert.Equal(records, Endpoints(await RecordAsync(lab, "web")));
    }

    [Theory]
    [InlineData("container-connect:recorded")]
    [InlineData("container-connect:leased")]
    [InlineData("container-connect:network")]
    public async Task A_connect_cut_short_by_a_crash_is_rolled_back_whole_by_the_reconciler(string point)
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.RunAsync("web");
        string before = lab.Resources.Dump();

        await lab.CrashDuringAsync(point, c => c.ConnectAsync("app", "web", null, ["db"]));
        lab.Restart();
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Contains("container 'web': connect to network 'app' was cut short; rolled back", result.Report.Repaired);
        Assert.Equal(before, lab.Resources.Dump());
        Assert.Equal("eth0:10.88.0.2", Endpoints(await RecordAsync(lab, "web")));
        // And it can be connected again.
        Assert.Equal("eth0:10.88.0.2 eth1:10.89.0.2", Endpoints((await lab.Containers.ConnectAsync("app", "web", null, null)).Container));
    }

    [Theory]
    [InlineData("container-disconnect:marked")]
    [InlineData("container-disconnect:kernel-done")]
    public async Task A_disconnect_cut_short_by_a_crash_is_finished_by_the_reconciler(string point)
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        var web = await lab.RunAsync("web");
        await lab.Containers.ConnectAsync("app", "web", null, null);

        await lab.CrashDuringAsync(point, c => c.DisconnectAsync("bridge", "web", force: false));
        lab.Restart();
        var result = await lab.ReconcileAsync();

        Assert.Empty(result.Failures);
        Assert.Contains("container 'web': disconnect from network 'bridge' was cut short; finished", result.Report.Repaired);
        Assert.Equal("leases: 10.89.0.2\nmounts: 1\nnetns: 1\nendpoints: 1", lab.Resources.Dump().Split("\nnames: ")[0]);
        Assert.Contains("web=10.89.0.2", lab.Resources.Dump());
        Assert.Equal("eth1:10.89.0.2", Endpoints(await RecordAsync(lab, "web")));
        Assert.Contains($"{web.Id[..12]} via 10.89.0.1 dev eth1", lab.Resources.DefaultRoutes);
    }

    [Fact]
    public async Task A_failed_kernel_step_of_connect_rolls_the_attachment_back_at_once()
    {
        await using var lab = new ContainerLab();
        await lab.AddNetworkAsync("app");
        await lab.RunAsync("web");
        string before = await lab.DumpAsync();
        lab.Resources.FailAt = "endpoint";

        await Assert.ThrowsAsync<InvalidOperationException>(() => lab.Containers.ConnectAsync("app", "web", null, null));

        Assert.Equal(before, await lab.DumpAsync());
        Assert.Equal("eth0:10.88.0.2", Endpoints(await RecordAsync(lab, "web")));
    }
}
