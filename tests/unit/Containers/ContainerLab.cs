using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Events;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Reconcile;
using MyDocker.Engine.Reconcile.ContainerSteps;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// The container half of the engine over fakes that keep state — the resources a container is made of
/// (<see cref="FakeContainerResources"/>) and the runtime's containers and exit records (<see cref="FakeOciRuntime"/>) —
/// and a real SQLite database in a temporary directory: no root, milliseconds. No port is published, so the forwarder
/// never reaches a firewall. A "daemon" is one set of engine objects; <see cref="Restart"/> drops it for another on the
/// same fakes and database, and <see cref="CrashDuringAsync"/> stops an operation dead at a crash point, as SIGKILL would.
/// </summary>
public sealed class ContainerLab : IAsyncDisposable
{
    /// <summary>The container steps that need nothing but these fakes (endpoints, netns, veths, mounts and directories
    /// need the kernel; leases an IPAM store: the e2e tests cover those).</summary>
    private static readonly HashSet<Type> FakedSteps =
        [typeof(ContainerRecordsStep), typeof(AttachmentsStep), typeof(RootfsStep), typeof(PublishedPortsStep), typeof(ProcessStateStep), typeof(NamesStep), typeof(RuntimeOrphansStep)];

    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-unit-ctr-").FullName;
    private readonly SimulatedCrashes _crashes = new();
    private ServiceProvider? _daemon;

    public FakeContainerResources Resources { get; }
    public FakeOciRuntime Runtime { get; }
    public StateDbFactory State { get; }

    public ContainerLab()
    {
        Resources = new FakeContainerResources(_root);
        Runtime = new FakeOciRuntime(RuntimeOptions.FromExecRoot(Resources.Options.ExecRoot));
        State = new StateDbFactory(Path.Combine(_root, "state.db"));
        State.Migrate();
        Restart();
    }

    public ContainerService Containers => Daemon.GetRequiredService<ContainerService>();
    public EventHub Events => Daemon.GetRequiredService<EventHub>();
    private ServiceProvider Daemon => _daemon ?? throw new InvalidOperationException("crashed; restart first");

    /// <summary>A new daemon on the same fakes and database (its reconcile is <see cref="ReconcileAsync"/>).</summary>
    public void Restart()
    {
        _daemon?.Dispose();
        var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Resources.Options);
        services.AddSingleton(State);
        services.AddSingleton<IContainerResources>(Resources);
        services.AddSingleton<INameRegistry>(new FakeNameRegistry(Resources.Names, new ResolverTable(State)));
        services.AddSingleton<IOciRuntime>(Runtime);
        // Attach and exec speak to conmon's sockets and runc exec, which these tests never reach.
        services.AddSingleton(new ContainerRuntime(Runtime.Options, NullLogger<ContainerRuntime>.Instance));
        services.AddSingleton(sp => new ExitWatcher(Runtime.Options));
        services.AddSingleton<AttachWaiters>();
        services.AddSingleton<ExecSessions>();
        services.AddSingleton<ContainerProcesses>();
        services.AddSingleton(new PortForwarder(new PortReservations(), null!, null!, null!, NullLogger<PortForwarder>.Instance));
        services.AddSingleton<OperationRegistry>();
        services.AddSingleton<EventHub>();
        services.AddSingleton<ContainerService>();
        _daemon = services.BuildServiceProvider();
    }

    /// <summary>A network the fakes lease from (10.89.0.0/24 for the first added, then 10.90…), recorded in the database as
    /// the engine reads it; the default "bridge" (10.88.0.0/24) is recorded too the first time.</summary>
    public async Task<MyDocker.Engine.Networks.Network> AddNetworkAsync(string name, bool isInternal = false)
    {
        var network = Resources.AddNetwork(name, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))), isInternal);
        await using var db = State.Create();
        if (await db.FindNetworkAsync(FakeContainerResources.NetworkId, default) is null) await db.AddNetworkAsync(FakeContainerResources.Bridge, default);
        await db.AddNetworkAsync(network, default);
        return network;
    }

    /// <summary>Runs the exit loop until the container's exit is recorded (the monitor wrote it: <see cref="FakeOciRuntime.Exit"/>).</summary>
    public async Task RecordExitAsync(string id)
    {
        using var stop = new CancellationTokenSource();
        // The fake monitor keeps its exit records in memory; the watcher looks for a file of the id's name.
        Directory.CreateDirectory(Runtime.Options.ExitDir);
        await File.WriteAllTextAsync(Path.Combine(Runtime.Options.ExitDir, id), "");
        var loop = Containers.RunExitLoopAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Containers.GetAsync(id)).Container.Phase == ContainerPhase.Running)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the exit of {id} was not recorded");
            await Task.Delay(5);
        }
        await stop.CancelAsync();
        await loop;
    }

    public Task<ContainerView> CreateAsync(string name, string? network = null) =>
        Containers.CreateAsync(new ContainerCreateSpec { Name = name, Image = "busybox", Network = network });

    public async Task<ContainerView> RunAsync(string name, string? network = null)
    {
        var view = await CreateAsync(name, network);
        await Containers.StartAsync(view.Id);
        return view;
    }

    /// <summary>The container steps of a reconcile that these fakes support, in <see cref="ReconcileOrder"/>'s order.</summary>
    public async Task<ReconcileResult> ReconcileAsync()
    {
        var result = new ReconcileResult();
        await using var db = State.Create();
        var ctx = new ReconcileContext(db, firstRun: false);
        foreach (var step in ReconcileOrder.Create(Daemon, only: FakedSteps.Contains))
            if (!await Reconciler.RunStepAsync(step, ctx, result, CancellationToken.None)) break;
        return result;
    }

    /// <summary>
    /// What exists, as golden text: the container's resources, the runtime's containers and exit records, and the
    /// records ("name phase exit-code"). A recorded container's id is replaced by its name (ids are random), so the
    /// runtime's lines are sorted by name.
    /// </summary>
    public async Task<string> DumpAsync()
    {
        await using var db = State.Create();
        var records = await db.Containers.AsNoTracking().OrderBy(c => c.Name).ToListAsync();
        var runtime = Runtime.Dump().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => records.FirstOrDefault(r => line.StartsWith(r.Id[..12], StringComparison.Ordinal)) is { } r ? r.Name + line[12..] : line)
            .Order(StringComparer.Ordinal);
        return Resources.Dump() + "\n--\n" + string.Concat(runtime.Select(l => l + "\n")) + "--\n"
            + string.Concat(records.Select(r => $"{r.Name} {r.Phase}{(r.ExitCode is { } code ? $" {code}" : "")}\n"));
    }

    /// <summary>
    /// Runs <paramref name="operation"/> until it reaches crash point <paramref name="point"/>, where it stops for good:
    /// no rollback, no finally, nothing after it runs. Fails the test when the operation ends without reaching it.
    /// </summary>
    public async Task CrashDuringAsync(string point, Func<ContainerService, Task> operation)
    {
        var containers = Containers;
        await _crashes.RunUntilAsync(point, Daemon, () => operation(containers));
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
}
