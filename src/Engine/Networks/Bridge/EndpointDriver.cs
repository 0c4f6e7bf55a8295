using System.Net;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Networks.Bridge;

/// <summary>
/// A container's endpoint on a bridge network: a veth pair whose host side (<see cref="EndpointPlan.HostVeth"/>,
/// marked with the alias "mydocker:ctr:&lt;id&gt;", carrying the <see cref="LoopbackGuard"/>) is a port of the bridge and
/// whose peer is born inside the container's netns as eth0, with the container's address, MAC and default route, and lo up.
/// <para>
/// <paramref name="netlink"/> is bound to the host's namespace. Requests inside a container's namespace go through a
/// socket opened there for the duration of one call (a netlink socket stays bound to the netns it was opened in, so
/// no thread ever has to switch namespaces while the engine works). Thread-safe; calls for different containers may
/// run concurrently; calls for one container must not.
/// </para>
/// </summary>
public sealed partial class EndpointDriver(IRtNetlink netlink, LinkReaper reaper)
{
    /// <summary>Prefix of the alias on every host veth the engine creates; the rest is the container id.</summary>
    public const string AliasPrefix = "mydocker:ctr:";

    /// <summary>Prefix of the host veth names (then 12 hex digits of the container id).</summary>
    public const string HostVethPrefix = "mdv";

    public static string AliasFor(string containerId) => AliasPrefix + containerId;

    public static string HostVethName(string containerId) => HostVethPrefix + containerId[..12];

    public static bool IsContainerId(string? id) =>
        id is { Length: 64 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>
    /// Creates the endpoint. Each step that leaves something registers its undo on <paramref name="scope"/>; the
    /// only thing to undo is the veth pair (deleting the host side deletes eth0, and with it eth0's address and
    /// routes), which a rollback hands to the <see cref="LinkReaper"/>. lo stays up in the netns: it is harmless, and
    /// the namespace is the caller's to remove.
    /// </summary>
    /// <exception cref="EngineException">The plan is invalid (InvalidArgument), or the bridge or netns is missing (NotFound).</exception>
    /// <exception cref="KernelException">A request failed, e.g. EEXIST when the veth name is taken.</exception>
    public void Setup(EndpointPlan plan, RollbackScope scope)
    {
        var bridge = Prepare(plan);
        reaper.NoteActivity();
        CreatePair(plan, bridge, onCreated: () =>
            scope.OnRollback($"veth {plan.HostVeth}", () => RetireHostVeth(plan.ContainerId, allowUnmarked: true, deleteNow: false)));
        using var inside = OpenInside(plan);
        ConfigureInside(inside, plan);
    }

    /// <summary>
    /// Removes the endpoint of <paramref name="containerId"/>: the host veth leaves its bridge at once (so an old eth0
    /// can never answer for an address that IPAM hands out again) and is deleted by the <see cref="LinkReaper"/> in
    /// the background, or now with <paramref name="deleteNow"/> (the reconciler). Deleting one end of a veth pair
    /// deletes both. Idempotent: a missing device is success. A device of that name without our alias is left alone
    /// and reported as a failed step.
    /// </summary>
    public void Teardown(string containerId, Teardown t, bool deleteNow = false)
    {
        if (!IsContainerId(containerId)) throw EngineException.Invalid($"container id '{containerId}' is not 64 lower-case hex digits");
        t.Step($"delete veth {HostVethName(containerId)}", () => RetireHostVeth(containerId, allowUnmarked: false, deleteNow));
    }

    /// <summary>
    /// Host veths marked as a container's (alias "mydocker:ctr:&lt;id&gt;") whose container <paramref name="isLive"/>
    /// says is not live: the reconciler removes them with <see cref="Teardown"/>.
    /// </summary>
    public static IReadOnlyList<LinkInfo> OrphanVeths(IEnumerable<LinkInfo> links, Func<string, bool> isLive) =>
        links.Where(l => ContainerIdOf(l) is { } id && !isLive(id)).ToList();

    /// <summary>The container id in the alias of a host veth the engine made, or null for any other device.</summary>
    public static string? ContainerIdOf(LinkInfo link) =>
        link.Kind == "veth" && link.Alias is { } alias && alias.StartsWith(AliasPrefix, StringComparison.Ordinal)
        && IsContainerId(alias[AliasPrefix.Length..]) && link.Name == HostVethName(alias[AliasPrefix.Length..])
            ? alias[AliasPrefix.Length..]
            : null;

    /// <summary>Validates the plan and finds the bridge and the netns before anything is created.</summary>
    private LinkInfo Prepare(EndpointPlan plan)
    {
        if (plan.Problem() is { } problem) throw EngineException.Invalid(char.ToUpperInvariant(problem[0]) + problem[1..]);
        var bridge = netlink.GetLink(plan.Bridge);
        if (bridge is null || bridge.Kind != "bridge")
            throw EngineException.NotFound(
                $"bridge {plan.Bridge} for container {plan.ContainerId[..12]} does not exist; run 'mydocker system reconcile' to re-create the network's bridge");
        if (Libc.FileSystemType(plan.NetnsPath) != Libc.NSFS_MAGIC)
            throw EngineException.NotFound($"network namespace {plan.NetnsPath} of container {plan.ContainerId[..12]} does not exist");
        return bridge;
    }

    /// <summary>The veth pair with eth0 born in the netns with its MAC, the host side marked and guarded, on the bridge and up.</summary>
    private void CreatePair(EndpointPlan plan, LinkInfo bridge, Action? onCreated = null)
    {
        int hostIndex;
        var fd = Libc.CheckFd(Libc.Open(plan.NetnsPath, Libc.O_RDONLY | Libc.O_CLOEXEC), "open network namespace", plan.NetnsPath);
        using (fd)
            hostIndex = netlink.CreateVethPair(plan.HostVeth, EndpointPlan.ContainerInterface, fd.Fd, plan.Mac);
        onCreated?.Invoke();
        CrashPoint.Hit("container-create:veth-created");
        // An alias cannot be given at creation (rtnl_create_link ignores IFLA_IFALIAS), hence a second request.
        netlink.SetAlias(hostIndex, plan.Alias);
        // Before the veth joins a bridge with route_localnet: no moment in which the container can address 127.0.0.1.
        LoopbackGuard.Install(netlink, hostIndex);
        netlink.SetMaster(hostIndex, bridge.Index);
        netlink.SetHairpin(hostIndex);
        netlink.SetUp(hostIndex);
    }

    private static RtNetlink OpenInside(EndpointPlan plan) => RtNetlink.OpenInNetns(plan.NetnsPath);

    /// <summary>lo up; eth0's address, up; the default route. The route needs eth0 up: the kernel adds the connected
    /// route of the address only to a running device, and a gateway must be reachable through one (fib_check_nh).</summary>
    private static void ConfigureInside(IRtNetlink inside, EndpointPlan plan)
    {
        // A new netns has lo (always ifindex 1, LOOPBACK_IFINDEX) down.
        inside.SetUp(1);
        var eth0 = inside.GetLink(EndpointPlan.ContainerInterface)
            ?? throw KernelException.FromErrno("configure eth0", KernelException.ENODEV, $"eth0 vanished from {plan.NetnsPath}");
        inside.AddAddress(eth0.Index, plan.Address, plan.PrefixLength);
        inside.SetUp(eth0.Index);
        inside.AddRoute(IPAddress.Any, 0, plan.Gateway, eth0.Index);
    }

    /// <summary>Takes the host veth off its bridge now and deletes it (in the background unless <paramref name="deleteNow"/>).</summary>
    private void RetireHostVeth(string containerId, bool allowUnmarked, bool deleteNow)
    {
        string name = HostVethName(containerId), alias = AliasFor(containerId);
        var link = netlink.GetLink(name);
        if (link is null) return;
        // allowUnmarked: a rollback can run between the creation and the alias.
        bool Ours(LinkInfo l) => l.Kind == "veth" && (l.Alias == alias || (allowUnmarked && l.Alias is null));
        if (!Ours(link))
            throw EngineException.Conflict(
                $"device {name} is not marked as container {containerId[..12]}'s veth (alias '{link.Alias}'); MyDocker leaves it alone");
        if (deleteNow)
        {
            netlink.DeleteLink(name);
            return;
        }
        try
        {
            if (link.MasterIndex is not null) netlink.SetMaster(link.Index, 0);
        }
        catch (KernelNotFoundException)
        {
            return; // gone meanwhile
        }
        reaper.Retire(name, Ours);
    }
}
