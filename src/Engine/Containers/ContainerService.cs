using System.Net;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine.Networks.Dns;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Containers.Security;
using MyDocker.Engine.Events;
using MyDocker.Engine.Images;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Containers;

/// <summary>
/// Creates, runs, stops and removes containers. Like networks (DESIGN.md §4.4), create and remove record their intent
/// first (phase Creating/Removing), change the kernel inside a rollback scope, then mark themselves done, so a crash at
/// any step leaves something the reconciler finishes or undoes. Operations on one container are serialised by a lock of
/// its own (<see cref="OperationRegistry"/>, shared with the reconciler); different containers proceed in parallel. The
/// process itself runs under conmon, which records its output and exit code whether or not the daemon is alive;
/// <see cref="RunExitLoopAsync"/> turns exit files into state. This class orchestrates; the steps are done by
/// <see cref="IContainerResources"/> (image, rootfs, network, address, netns, endpoint), <see cref="ContainerProcesses"/>
/// (runtime, exits, attach, exec) and <see cref="PortForwarder"/>.
/// </summary>
public sealed partial class ContainerService(
    StateDbFactory state, IContainerResources resources, ContainerProcesses processes, PortForwarder ports,
    OperationRegistry operations, EventHub events, ILogger<ContainerService> logger)
{
    private readonly SemaphoreSlim _nameGate = new(1, 1);

    /// <summary>What create should warn about without refusing: binds of the engine's own state (audit L11).</summary>
    public List<string> CreateWarnings(ContainerCreateSpec request) => ContainerPlanner.EngineStateBindWarnings(request.Spec.Binds,
        [(resources.Options.DataRoot, "the engine's database, session key and image layers"), (resources.Options.ExecRoot, "the API socket and the runtime's state")],
        HostPaths.Resolve);

    public async Task<ContainerView> CreateAsync(ContainerCreateSpec request, CancellationToken ct = default)
    {
        resources.NoteActivity();
        ContainerPlanner.Validate(request, p => Directory.Exists(p) || File.Exists(p));
        var confinement = Confinement.Of(request.Spec.SecurityOpt, request.Spec.CapAdd, request.Spec.CapDrop, Capabilities.OfThisProcess());
        request = request with { Spec = ContainerPlanner.Resolve(request.Spec, resources.Options.DefaultPidsLimit) };
        string who = request.Name ?? "the new container";
        var firstAliases = EndpointAliases.Validate(request.Aliases, who);
        var image = await resources.ImageAsync(request.Image, ct);
        if (request.Spec.WorkingDir is null && image.Config.WorkingDir is { Length: > 0 } imageDir && !imageDir.StartsWith('/'))
            throw EngineException.Invalid($"image '{request.Image}' sets the working directory '{imageDir}', which is not absolute; give one with -w /path");
        var network = await resources.NetworkAsync(request.Network, ct);
        var requestedIp = ParseIp(request.Ip, network.Network);
        var more = await MoreNetworksAsync(request, network.Network, who, ct);
        PortPlanner.Validate(request.Publish, network.Network.Name, network.Network.Internal);
        if (more.Select(m => m.Network).Prepend(network.Network).FirstOrDefault(n => !ContainerNames.IsDefault(n)) is { } named
            && request.Spec.Dns.FirstOrDefault(d => IPAddress.TryParse(d, out var a) && IPAddress.IsLoopback(a)) is { } loopback)
            throw EngineException.Invalid(
                $"--dns {loopback} is a loopback address: on network '{named.Name}' the engine's resolver asks the container's servers from the host, where {loopback} is the host's own; give a server the host can reach, or leave --dns out");
        var command = ContainerPlanner.Command(request.Spec, image.Config);
        if (command.Count == 0)
            throw EngineException.Invalid($"image '{request.Image}' has no default command and none was given; add one: mydocker run {request.Image} CMD");

        if (request.Spec.LogMaxSize is null && resources.Options.LogSizeMax is { Length: > 0 } defaultLogMaxSize)
            request = request with { Spec = request.Spec with { LogMaxSize = defaultLogMaxSize } };
        string id = ContainerPlanner.NewId();
        using (operations.Busy(id))
            return await RecordAndCreateAsync(request, id, requestedIp, firstAliases, image, network, more, command, confinement, ct);
    }

    /// <summary>The networks joined besides the first, each checked (exists, not given twice, address inside it, aliases)
    /// before anything is made, as endpoints eth1, eth2, ….</summary>
    private async Task<List<(Networks.Network Network, Endpoint Endpoint)>> MoreNetworksAsync(
        ContainerCreateSpec request, Networks.Network first, string who, CancellationToken ct)
    {
        var result = new List<(Networks.Network, Endpoint)>();
        var seen = new HashSet<string> { first.Id };
        foreach (var (attachment, i) in request.MoreNetworks.Select((a, i) => (a, i)))
        {
            var network = (await resources.NetworkAsync(attachment.Network, ct)).Network;
            if (!seen.Add(network.Id))
                throw EngineException.Invalid($"network '{network.Name}' is given more than once for {who}; give each network once");
            if (result.Count + 1 >= Endpoint.MaxInterfaces)
                throw EngineException.Invalid($"{request.MoreNetworks.Count + 1} networks given for {who}; the limit is {Endpoint.MaxInterfaces}");
            result.Add((network, new Endpoint(network.Id, null, null)
            {
                InterfaceIndex = i + 1, StaticIp = ParseIp(attachment.Ip, network), Aliases = EndpointAliases.Validate(attachment.Aliases, who),
            }));
        }
        return result;
    }

    private async Task<ContainerView> RecordAndCreateAsync(
        ContainerCreateSpec request, string id, IPAddress? requestedIp, List<string> aliases, ImageView image, NetworkView network,
        List<(Networks.Network Network, Endpoint Endpoint)> more, List<string> command, Confinement confinement, CancellationToken ct)
    {
        var record = new Container(
            id, request.Name ?? "", request.Image, image.Id, request.Spec with { Command = command },
            [new Endpoint(network.Network.Id, null, null) { Aliases = aliases, StaticIp = requestedIp }, .. more.Select(m => m.Endpoint)],
            ContainerPhase.Creating, DateTimeOffset.UtcNow) { AutoRemove = request.AutoRemove };
        await using var db = state.Create();
        // 1. Intent: the record (with its unique name) exists before any kernel object, so nothing made is unowned.
        await _nameGate.WaitAsync(ct);
        try
        {
            record = record with { Name = request.Name ?? await FreeNameAsync(db, ct) };
            if (await db.ContainerNamedAsync(record.Name, ct) is { } holder)
                throw EngineException.Conflict(
                    $"container name '{record.Name}' is already in use by container {holder.Id[..12]}; remove it (mydocker rm -f {record.Name}) or choose another --name");
            await db.AddContainerAsync(record, ct);
        }
        finally { _nameGate.Release(); }
        CrashPoint.Hit("container-create:recorded");

        var recorded = record;
        var paths = resources.Paths(id);
        using (var scope = new RollbackScope(logger, $"create container {record.Name}"))
        {
            scope.OnRollback($"record of container {record.Name}", () => DeleteRecord(id));
            // Published ports first: a port conflict is the likeliest failure, and nothing in the kernel is made yet.
            var published = ports.Reserve(id, record.Name, request.Publish);
            scope.OnRollback($"published ports of {record.Name}", () => ports.Release(id));
            record = record with { Spec = record.Spec with { Ports = [.. published] } };
            // 2. Kernel and files, each step undone in reverse order if a later one fails.
            IPAddress address;
            try { address = await resources.AllocateAddressAsync(network.Network.Id, id, requestedIp); }
            catch (EngineException e) when (e.Kind == ErrorKind.NotFound)
            {
                // A `network rm`/`prune` won the race for the network (NetworkService's address locks).
                throw EngineException.NotFound(
                    $"network '{network.Network.Name}' was removed while container '{record.Name}' was being created; create the network again or choose another");
            }
            scope.OnRollback($"address {address}", () => resources.ReleaseAddress(network.Network.Id, address));
            var plan = EndpointPlanFor(id, network.Network, address, paths);
            var plans = new List<EndpointPlan> { plan };
            var endpoints = new List<Endpoint> { record.Primary with { Ip = address, Mac = MacText(plan) } };
            foreach (var (other, endpoint) in more)
            {
                var leased = await resources.AllocateAddressAsync(other.Id, id, endpoint.StaticIp);
                scope.OnRollback($"address {leased}", () => resources.ReleaseAddress(other.Id, leased));
                var otherPlan = EndpointPlanFor(id, other, leased, paths) with { InterfaceIndex = endpoint.InterfaceIndex, DefaultRoute = false };
                plans.Add(otherPlan);
                endpoints.Add(endpoint with { Ip = leased, Mac = MacText(otherPlan) });
            }
            record = record with { Endpoints = endpoints };
            CrashPoint.Hit("container-create:leased");

            PrivateDirectory.Ensure(ContainerPaths.ContainersDir(resources.Options), "containers directory");
            Directory.CreateDirectory(paths.Dir, PrivateDirectory.Mode);
            scope.OnRollback($"directory {paths.Dir}", () => Directory.Delete(paths.Dir, recursive: true));
            foreach (var dir in new[] { paths.Upper, paths.Work, paths.Rootfs }) Directory.CreateDirectory(dir);
            resources.MountRootfs(image, paths);
            scope.OnRollback($"rootfs mount {paths.Rootfs}", () => resources.UnmountRootfs(paths));
            CrashPoint.Hit("container-create:rootfs");

            resources.CreateNetns(paths);
            scope.OnRollback($"netns {paths.NetnsName}", () => resources.RemoveNetns(paths));
            foreach (var p in plans) resources.SetupEndpoint(p, scope);
            CrashPoint.Hit("container-create:network");

            string hostname = request.Spec.Hostname ?? id[..12];
            var networksInOrder = more.Select(m => m.Network).Prepend(network.Network).ToList();
            paths.WriteEtcFiles(Dns.EtcFiles.For(request.Spec, hostname,
                [.. plans.Select((p, i) => new Dns.EtcEndpoint(p.Address, p.Gateway, ContainerNames.IsDefault(networksInOrder[i])))],
                Dns.EtcFiles.ReadHostResolvConf(resources.Options)));
            var runtimeSpec = RuntimeSpecFor(record, request.Spec, image, command, hostname, paths, confinement);
            File.WriteAllText(paths.Config, OciSpecBuilder.Build(runtimeSpec, paths.Rootfs, $"image '{request.Image}'"));

            // 3. Done.
            record = record with { Phase = ContainerPhase.Created };
            await db.UpdateContainerAsync(recorded, record, CancellationToken.None);
            scope.Complete();
        }
        logger.LogInformation("Created container {Container} ({Id}) image {Image} on {Network} at {Address}",
            record.Name, id[..12], record.Image, network.Network.Name, record.Primary.Ip?.ToString());
        events.Publish(EngineEvents.ContainerCreated(record));
        events.Publish(EngineEvents.NetworkConnected(network.Network.Id, network.Network.Name, id));
        foreach (var (other, _) in more) events.Publish(EngineEvents.NetworkConnected(other.Id, other.Name, id));
        return await GetAsync(id, ct);
    }

    public async Task<IReadOnlyList<ContainerView>> ListAsync(bool all, CancellationToken ct = default)
    {
        await using var db = state.Create();
        var records = await db.VisibleContainersAsync(all, ct);
        var nets = (await db.AllNetworksAsync(ct)).ToDictionary(n => n.Id);
        return records.OrderByDescending(r => r.Created.UtcTicks).Select(r => ContainerView.Of(r, nets)).ToList();
    }

    public async Task<ContainerView> GetAsync(string idOrName, CancellationToken ct = default)
    {
        await using var db = state.Create();
        var record = await ResolveAsync(db, idOrName, ct);
        var nets = new Dictionary<string, Networks.Network>();
        foreach (var e in record.Endpoints)
            if (await db.FindNetworkAsync(e.NetworkId, ct) is { } n) nets[n.Id] = n;
        return ContainerView.Of(record, nets);
    }

    /// <summary>The names and eth0 MACs of those of <paramref name="ids"/> that exist, in any phase (one being created
    /// already holds its lease): for the pages that say whose a lease or a veth is.</summary>
    public async Task<IReadOnlyDictionary<string, ContainerName>> NamesAsync(IEnumerable<string> ids, CancellationToken ct = default)
    {
        var wanted = ids.ToHashSet();
        if (wanted.Count == 0) return new Dictionary<string, ContainerName>();
        await using var db = state.Create();
        return (await db.ContainersWithIdsAsync(wanted, ct)).ToDictionary(c => c.Id, c => new ContainerName(c.Name, c.Primary.Mac));
    }

    /// <summary>The container's log file (conmon's k8s-file format) and whether it is still being written.</summary>
    public async Task<(string Path, Func<bool> StillRunning)> LogSourceAsync(string idOrName, CancellationToken ct = default)
    {
        var view = await GetAsync(idOrName, ct);
        string id = view.Id;
        return (resources.Paths(id).Log, () => IsRunning(id));
    }

    private bool IsRunning(string id)
    {
        using var db = state.Create();
        return db.IsContainerRunning(id);
    }

    private static async Task<string> FreeNameAsync(StateDb db, CancellationToken ct)
    {
        for (int i = 0; ; i++)
        {
            string name = ContainerPlanner.NewName();
            if (i > 20 || !await db.ContainerNameTakenAsync(name, ct)) return name;
        }
    }

    internal static EndpointPlan EndpointPlanFor(string id, Networks.Network network, IPAddress address, ContainerPaths paths) =>
        new(id, paths.NetnsPath, network.Bridge, address, network.Subnet.PrefixLength, network.Gateway);

    /// <summary>The plan of <paramref name="endpoint"/> (which has its address) as the container's ethN; the default
    /// route is the primary endpoint's.</summary>
    internal static EndpointPlan EndpointPlanFor(Container record, Endpoint endpoint, Networks.Network network, ContainerPaths paths) =>
        EndpointPlanFor(record.Id, network, endpoint.Ip ?? throw new InvalidOperationException($"endpoint of {record.Name} on {network.Name} has no address"), paths)
            with { InterfaceIndex = endpoint.InterfaceIndex, DefaultRoute = record.Primary.NetworkId == endpoint.NetworkId };

    /// <summary>A MAC as Docker prints it ("02:42:0a:00:00:02").</summary>
    private static string MacText(EndpointPlan plan) => string.Join(':', plan.Mac.GetAddressBytes().Select(b => b.ToString("x2")));

    private RuntimeSpec RuntimeSpecFor(
        Container record, ContainerSpec spec, ImageView image, List<string> command, string hostname, ContainerPaths paths,
        Confinement confinement)
    {
        var env = ContainerPlanner.Environment(image.Config.Env, spec.Env);
        env.RemoveAll(e => e.StartsWith("HOSTNAME="));
        env.Add($"HOSTNAME={hostname}");
        return new RuntimeSpec(
            Id: record.Id,
            Args: command,
            Env: env,
            WorkingDir: spec.WorkingDir ?? image.Config.WorkingDir,
            User: spec.User ?? image.Config.User,
            Hostname: hostname,
            NetnsPath: paths.NetnsPath,
            BundleDir: paths.Dir,
            Mounts: spec.Binds.Select(b => new BindMount(b.Source, b.Destination, b.ReadOnly)).ToList(),
            MemoryBytes: spec.MemoryBytes,
            NanoCpus: spec.NanoCpus,
            CgroupParent: processes.Runtime.Options.CgroupParent,
            Terminal: spec.Tty,
            Domainname: spec.Domainname)
        {
            Capabilities = confinement.Capabilities,
            Seccomp = confinement.Seccomp,
            NoNewPrivileges = confinement.NoNewPrivileges,
            PidsLimit = spec.PidsLimit,
            Nofile = ResourceDefaults.Nofile(ResourceDefaults.DaemonNofileHard()),
            OomScoreAdj = ResourceDefaults.ContainerOomScoreAdj(ResourceDefaults.CurrentOomScoreAdj()),
            CgroupNamespace = CgroupDirs.IsUnifiedOnly(),
        };
    }

    /// <summary>Docker's lookup order (<see cref="Lookup"/>); a leading '/' (Docker's name form) is ignored.</summary>
    private static Task<Container> ResolveAsync(StateDb db, string idOrName, CancellationToken ct) => db.ResolveContainerAsync(idOrName, ct);

    /// <summary>The container's published ports as firewall mappings (none without an address).</summary>
    private static List<PortMapping> MappingsOf(Container record) => PortForwarder.MappingsOf(record.Primary.Ip, record.Spec.Ports);

    /// <summary>Published ports of running containers, for the reconciler's firewall rebuild.</summary>
    internal static List<PortMapping> MappingsOfRunning(IEnumerable<Container> records) =>
        records.Where(r => r.Phase == ContainerPhase.Running).SelectMany(MappingsOf).ToList();

    /// <summary>Takes the container's ports out of the firewall (it stopped or goes). Idempotent.</summary>
    private void WithdrawPorts(Container record) => ports.Withdraw(record.Name, MappingsOf(record));

    /// <summary>Publishes the container's ports (before its process runs, so its first answer can already be reached).</summary>
    private void PublishPorts(Container record) => ports.Publish(record.Name, MappingsOf(record));

    private void DeleteRecord(string id)
    {
        using var db = state.Create();
        db.DeleteContainer(id);
    }

    /// <summary>A container recorded as running whose process and monitor are gone without an exit file (the host
    /// rebooted, or someone killed conmon): Docker's convention is exit code 255.</summary>
    internal void MarkLost(string id)
    {
        using var db = state.Create();
        if (db.FindContainer(id) is not { Phase: ContainerPhase.Running } running) return;
        var record = RecordExit(running, 255, DateTimeOffset.UtcNow, oomKilled: false,
            error: "the process and its monitor were gone when the daemon looked; the exit code is unknown");
        db.UpdateContainer(running, record);
        WithdrawPorts(record);
        events.Publish(EngineEvents.ContainerDied(record, 255));
    }

    /// <summary>The one place a container becomes Exited: after a normal exit, a failed start, or a lost process.</summary>
    private static Container RecordExit(Container record, int exitCode, DateTimeOffset finishedAt, bool oomKilled, string? error) =>
        record with
        {
            Phase = ContainerPhase.Exited, ExitCode = exitCode, FinishedAt = finishedAt, OomKilled = oomKilled, Error = error,
            Pid = null, MonitorPid = null,
        };

    /// <summary>The id only (one query): for operations that then take the container's lock and read it again.</summary>
    private async Task<string> IdOfAsync(string idOrName, CancellationToken ct)
    {
        await using var db = state.Create();
        return (await ResolveAsync(db, idOrName, ct)).Id;
    }
}
