using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Kernel.Conntrack;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Reconcile;
using MyDocker.Engine.State;

namespace MyDocker.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine. The kernel handles (<see cref="IRtNetlink"/>, <see cref="INftExecutor"/>,
    /// <see cref="NftNetlink"/>, <see cref="HostSubnets"/>) bind to the network namespace of the thread that first
    /// resolves them — the daemon's own — so resolve them before serving requests; <see cref="FirewallWatch"/> opens its
    /// subscription on the thread that runs it.
    /// </summary>
    public static IServiceCollection AddMyDockerEngine(this IServiceCollection services, EngineOptions options)
    {
        var stateFactory = new StateDbFactory(options.DatabasePath);
        services.AddSingleton(options);
        services.AddSingleton(stateFactory);
        services.AddSingleton<IRtNetlink>(_ => RtNetlink.Open());
        services.AddSingleton<INftExecutor>(_ => new LibNftables());
        services.AddSingleton(_ => NftNetlink.Open());
        services.AddSingleton(sp => new NftCommits(sp.GetRequiredService<NftNetlink>().ReadGeneration));
        services.AddSingleton<IFirewall>(sp =>
        {
            var forwarding = sp.GetRequiredService<HostForwarding>();
            return new NftFirewall(sp.GetRequiredService<INftExecutor>(), sp.GetRequiredService<NftCommits>(), () => forwarding.OwnedByEngine);
        });
        services.AddSingleton(sp => new ForeignFirewall(sp.GetRequiredService<INftExecutor>(), new ProcessRunner(children: sp.GetRequiredService<NftCommits>()),
            ForeignFirewall.ForwardChainOf(sp.GetRequiredService<NftNetlink>()), sp.GetRequiredService<ILogger<ForeignFirewall>>(),
            sp.GetRequiredService<NftCommits>()));
        services.AddSingleton(sp => new FirewallWatch(sp.GetRequiredService<IFirewall>(), sp.GetRequiredService<ForeignFirewall>(),
            sp.GetRequiredService<NftCommits>(), () => NftEvents.Open(), sp.GetRequiredService<ILogger<FirewallWatch>>()));
        services.AddSingleton<HostSubnets>();
        services.AddSingleton<IHostSubnets>(sp => sp.GetRequiredService<HostSubnets>());
        services.AddSingleton<IIpamStore>(_ => new SqliteIpamStore(stateFactory.ConnectionString));
        services.AddSingleton<IpamAllocator>();
        services.AddSingleton(new Sysctl());
        services.AddSingleton<ISysctl>(sp => sp.GetRequiredService<Sysctl>());
        services.AddSingleton<HostForwarding>();
        services.AddSingleton<LinkReaper>();
        services.AddSingleton<BridgeDriver>();
        services.AddSingleton<NetworkSpace>();
        services.AddSingleton<NetworkService>();
        services.AddSingleton<EventHub>();
        services.AddSingleton<ImageService>();
        services.AddSingleton(_ => new NetnsStore(ContainerPaths.NetnsDir(options)));
        services.AddSingleton<EndpointDriver>();
        services.AddSingleton(_ => RuntimeOptions.FromExecRoot(options.ExecRoot, options.EffectiveCgroupParent) with
        {
            RuntimePath = options.RuntimePath,
            ConmonPath = options.ConmonPath,
        });
        services.AddSingleton<ContainerRuntime>();
        services.AddSingleton<IOciRuntime>(sp => sp.GetRequiredService<ContainerRuntime>());
        services.AddSingleton<RuntimeCheck>();
        services.AddSingleton<ExitWatcher>();
        services.AddSingleton<PortReservations>();
        services.AddSingleton<IConntrack, CtNetlink>();
        services.AddSingleton<PortForwarder>();
        services.AddSingleton<ResolverProcess>();
        services.AddSingleton<ResolverTable>();
        services.AddSingleton<ResolverClient>();
        services.AddSingleton<INameRegistry>(sp => sp.GetRequiredService<ResolverClient>());
        services.AddSingleton<IContainerResources, ContainerResources>();
        services.AddSingleton<AttachWaiters>();
        services.AddSingleton<ExecSessions>();
        services.AddSingleton<ContainerProcesses>();
        services.AddSingleton<OperationRegistry>();
        services.AddSingleton<ContainerService>();
        services.AddSingleton(sp => new Reconciler(sp.GetRequiredService<StateDbFactory>(), sp.GetRequiredService<NetworkService>(),
            sp.GetRequiredService<LinkReaper>(), ReconcileOrder.Create(sp), sp.GetRequiredService<ILogger<Reconciler>>()));
        return services;
    }
}
