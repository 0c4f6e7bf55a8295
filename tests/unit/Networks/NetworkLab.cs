using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Events;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Reconcile;
using MyDocker.Engine.Reconcile.NetworkSteps;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Networks;

/// <summary>
/// The network half of the engine over fakes that keep the kernel's state (links, addresses, routes, sysctls, the nft
/// table) and a real SQLite database in a temporary directory: no root, milliseconds. A "daemon" is one set of engine
/// objects; <see cref="RestartAsync"/> drops it and starts another on the same kernel and database, as mydockerd does after
/// a crash (its start-up reconcile runs). <see cref="CrashDuringAsync"/> stops an operation dead at a crash point.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    private readonly string _root = MigratedDatabase.NewDirectory("mydocker-unit-net-");
    private readonly SimulatedCrashes _crashes = new();
    private ServiceProvider? _daemon;

    public FakeRtNetlink Netlink { get; } = new();
    public FakeNftExecutor Nft { get; } = new(modelTable: true);
    public FakeSysctl Sysctl { get; }
    public StateDbFactory State { get; }

    public NetworkLab()
    {
        Sysctl = new FakeSysctl(Netlink);
        State = MigratedDatabase.CopyTo(Path.Combine(_root, "state.db"));
    }

    public static async Task<NetworkLab> StartAsync()
    {
        var lab = new NetworkLab();
        await lab.RestartAsync();
        return lab;
    }

    public NetworkService Networks => Daemon.GetRequiredService<NetworkService>();
    public Reconciler Reconciler => Daemon.GetRequiredService<Reconciler>();
    public LinkReaper Reaper => Daemon.GetRequiredService<LinkReaper>();
    private ServiceProvider Daemon => _daemon ?? throw new InvalidOperationException("not started");

    /// <summary>What the kernel holds: links and routes, sysctls, the nft table. <paramref name="ids"/> are replaced by
    /// "&lt;id&gt;" (network ids are random).</summary>
    public string Kernel(params string[] ids)
    {
        string text = Netlink.Dump() + "--\n" + Sysctl.Dump() + "--\n" + Nft.Dump();
        foreach (var id in ids) text = text.Replace(id, "<id>");
        return text;
    }

    /// <summary>A new daemon on the same kernel and database; its start-up reconcile runs (firstRun, as mydockerd's).</summary>
    public async Task<ReconcileResult> RestartAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        var options = new EngineOptions { DataRoot = _root, ExecRoot = Path.Combine(_root, "exec"), ResolvConfPath = Path.Combine(_root, "no-resolv.conf") };
        services.AddSingleton(options);
        services.AddSingleton(State);
        services.AddSingleton<IRtNetlink>(Netlink);
        services.AddSingleton<INftExecutor>(Nft);
        services.AddSingleton<ISysctl>(Sysctl);
        services.AddSingleton<IHostSubnets>(new NoHostSubnets());
        services.AddSingleton<IIpamStore>(_ => new SqliteIpamStore(State.ConnectionString));
        services.AddSingleton<IpamAllocator>();
        services.AddSingleton<HostForwarding>();
        services.AddSingleton<IFirewall>(sp =>
        {
            var forwarding = sp.GetRequiredService<HostForwarding>();
            return new NftFirewall(sp.GetRequiredService<INftExecutor>(), dropHostRouting: () => forwarding.OwnedByEngine);
        });
        // No foreign FORWARD chain on this "host": ForeignFirewall has nothing to open.
        services.AddSingleton(_ => new ForeignFirewall(Nft, new FakeProgramRunner(), () => null));
        // No quiet period: the fake kernel has no RTNL lock for a deletion to hold up a create with.
        services.AddSingleton(sp => new LinkReaper(Netlink, sp.GetRequiredService<ILogger<LinkReaper>>(), TimeSpan.Zero));
        services.AddSingleton<BridgeDriver>();
        services.AddSingleton<EventHub>();
        services.AddSingleton<NetworkSpace>();
        services.AddSingleton<NetworkService>();
        services.AddSingleton(sp => new Reconciler(State, sp.GetRequiredService<NetworkService>(), sp.GetRequiredService<LinkReaper>(),
            ReconcileOrder.Create(sp, only: t => t.Namespace == typeof(BridgesStep).Namespace), sp.GetRequiredService<ILogger<Reconciler>>()));
        _daemon = services.BuildServiceProvider();
        return await Reconciler.RunStepsAsync(firstRun: true);
    }

    /// <summary>Creates a network with a fixed bridge name (ids are random, bridge names then are not).</summary>
    public Task<NetworkView> CreateAsync(string name, string subnet, string bridge, bool isInternal = false) =>
        Networks.CreateAsync(new NetworkCreateSpec(name, Subnet: subnet, Internal: isInternal,
            Options: new Dictionary<string, string> { [NetworkPlanner.BridgeNameOption] = bridge }));

    /// <summary>Lets the background device deletions finish (a daemon's clean stop does the same).</summary>
    public Task SettleAsync() => Reaper.DrainAsync();

    /// <summary>
    /// Runs <paramref name="operation"/> on the current daemon until it reaches crash point <paramref name="point"/>,
    /// where it stops for good, as SIGKILL stops mydockerd: no rollback, no finally, nothing after it runs. Fails the
    /// test when the operation ends without reaching the point.
    /// </summary>
    public async Task CrashDuringAsync(string point, Func<NetworkService, Task> operation)
    {
        var networks = Networks;
        await _crashes.RunUntilAsync(point, Daemon, () => operation(networks));
        // The dead daemon's objects are dropped with it: a restart builds new ones.
        _daemon = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
        await _crashes.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class NoHostSubnets : IHostSubnets
    {
        public IReadOnlyList<OccupiedSubnet> Current() => [];
    }
}
