using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Reconcile;
using MyDocker.Engine.State;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// The engine in-process, its kernel handles opened inside a throw-away namespace: endpoint address allocation as the
/// container milestone will use it, with the real IPAM store, kernel and firewall.
/// </summary>
public sealed class NetworkServiceTests : IAsyncLifetime
{
    private readonly TestNetns _ns = new("svc");
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-svc-").FullName;
    private ServiceProvider _engine = null!;
    private NetworkService Networks => _engine.GetRequiredService<NetworkService>();

    public async Task InitializeAsync() => _engine = await StartEngine();

    private async Task<ServiceProvider> StartEngine()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMyDockerEngine(new EngineOptions { DataRoot = _root, ExecRoot = Path.Combine(_root, "exec") });
        // The kernel handles bind to the namespace they are opened in; the sysctl writer is told where to write.
        services.AddSingleton<IRtNetlink>(_ => _ns.Run(RtNetlink.Open));
        services.AddSingleton<INftExecutor>(_ => _ns.Run(() => new LibNftables()));
        services.AddSingleton(_ => _ns.Run(NftNetlink.Open));
        services.AddSingleton(sp => _ns.Run(() => new HostSubnets(sp.GetRequiredService<IRtNetlink>())));
        services.AddSingleton(new Sysctl(_ns.Path));
        var sp = services.BuildServiceProvider();
        sp.GetRequiredService<StateDbFactory>().Migrate();
        await sp.GetRequiredService<Reconciler>().RunAsync(firstRun: true);
        return sp;
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _ns.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_slash_30_has_one_endpoint_address_and_a_network_with_endpoints_cannot_be_removed()
    {
        await Networks.CreateAsync(new NetworkCreateSpec("tiny", Subnet: "10.5.0.0/30"));
        Assert.Equal(IPAddress.Parse("10.5.0.2"), await Networks.AllocateAddressAsync("tiny", "c1"));
        var full = await Assert.ThrowsAsync<EngineException>(() => Networks.AllocateAddressAsync("tiny", "c2"));
        Assert.Equal(ErrorKind.Conflict, full.Kind);
        Assert.Contains("tiny", full.Message);

        var busy = await Assert.ThrowsAsync<EngineException>(() => Networks.RemoveAsync("tiny"));
        Assert.Equal(ErrorKind.Conflict, busy.Kind);
        Assert.Contains("c1", busy.Message);
        Assert.Contains("10.5.0.2", busy.Message);

        Assert.True(Networks.ReleaseAddress((await Networks.GetAsync("tiny")).Network.Id, IPAddress.Parse("10.5.0.2")));
        await Networks.RemoveAsync("tiny");
        Assert.Empty(await Networks.ListAsync());
    }

    [Fact]
    public async Task Concurrent_endpoints_get_distinct_addresses_and_static_requests_are_checked()
    {
        await Networks.CreateAsync(new NetworkCreateSpec("web", Subnet: "10.6.0.0/24"));
        var addresses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => Networks.AllocateAddressAsync("web", $"c{i}"))));
        Assert.Equal(100, addresses.Distinct().Count());
        Assert.DoesNotContain(IPAddress.Parse("10.6.0.1"), addresses);
        var view = await Networks.GetAsync("web");
        Assert.Equal(100, view.Usage.Used);
        Assert.Equal(253, view.Usage.Total);

        var gw = await Assert.ThrowsAsync<EngineException>(() => Networks.AllocateAddressAsync("web", "s", IPAddress.Parse("10.6.0.1")));
        Assert.Contains("gateway", gw.Message);
        var taken = await Assert.ThrowsAsync<EngineException>(() => Networks.AllocateAddressAsync("web", "s", addresses[0]));
        Assert.Equal(ErrorKind.Conflict, taken.Kind);
        Assert.Equal(IPAddress.Parse("10.6.0.200"), await Networks.AllocateAddressAsync("web", "s", IPAddress.Parse("10.6.0.200")));
    }

    [Fact]
    public async Task Prune_removes_only_networks_without_endpoints()
    {
        await Networks.CreateAsync(new NetworkCreateSpec("used", Subnet: "10.8.0.0/24"));
        await Networks.CreateAsync(new NetworkCreateSpec("idle1", Subnet: "10.8.1.0/24"));
        await Networks.CreateAsync(new NetworkCreateSpec("idle2", Subnet: "10.8.2.0/24"));
        await Networks.AllocateAddressAsync("used", "c1");
        Assert.Equal(["idle1", "idle2"], await Networks.PruneAsync());
        Assert.Equal(["used"], (await Networks.ListAsync()).Select(v => v.Network.Name));
        Assert.Empty(await Networks.PruneAsync());
    }

    /// <summary>Leases belong to containers: one whose owner is no container is released by the reconciler at start-up
    /// (that a container's lease survives a restart is tested with real containers, ContainerCrashTests).</summary>
    [Fact]
    public async Task A_lease_no_container_owns_is_released_at_an_engine_restart()
    {
        await Networks.CreateAsync(new NetworkCreateSpec("keep", Subnet: "10.7.0.0/24"));
        await Networks.AllocateAddressAsync("keep", "c1");
        Assert.Contains((await Networks.GetAsync("keep")).Leases, l => l.OwnerId == "c1");
        await _engine.DisposeAsync();
        _engine = await StartEngine();
        Assert.Empty((await Networks.GetAsync("keep")).Leases);
        await Networks.RemoveAsync("keep");
    }
}
