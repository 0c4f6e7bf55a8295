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
/// whose peer is born inside the container's netns as ethN, with the container's address and MAC on that network, the
/// default route on the primary endpoint only, and lo up. A container has one per network it is on.
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

    /// <summary>Prefix of eth0's host veth name (then 12 hex digits of the container id).</summary>
    public const string HostVethPrefix = "mdv";

    /// <summary>Prefix of the host veth names of eth1 and later (then 10 hex digits of the container id and 2 of the index).</summary>
    public const string ExtraVethPrefix = "mdx";

    /// <summary>The highest N of ethN: two hex digits in the host veth's name.</summary>
    public const int MaxInterfaceIndex = 255;

    public static string AliasFor(string containerId) => AliasPrefix + containerId;

    /// <summary>eth0's host veth: "mdv" + 12 hex of the id, as daemons before several networks named it (so their running
    /// containers' veths keep their names).</summary>
    public static string HostVethName(string containerId) => HostVethPrefix + containerId[..12];

    /// <summary>The host veth of ethN: eth0's <see cref="HostVethName(string)"/>, otherwise "mdx" + 10 hex of the id + N as
    /// two hex digits. 15 bytes either way (IFNAMSIZ - 1), distinct per interface of a container; the index, not the
    /// network, is in the name, because the name must fit and an index is never held by two endpoints of one container
    /// at once. A name can come back (disconnect, then connect again): <see cref="Setup"/> deletes a retired device of
    /// that name first.</summary>
    public static string HostVethName(string containerId, int interfaceIndex) =>
        interfaceIndex == 0 ? HostVethName(containerId)
            : ExtraVethPrefix + containerId[..10] + interfaceIndex.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

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
        // The same interface of the same container disconnected earlier: its device may still wait in the reaper's queue
        // (or, after a crash, be left behind). Its name is ours by construction, so it goes now.
        RetireHostVeth(plan.ContainerId, plan.InterfaceIndex, allowUnmarked: false, deleteNow: true);
        CreatePair(plan, bridge, onCreated: () =>
            scope.OnRollback($"veth {plan.HostVeth}", () => RetireHostVeth(plan.ContainerId, plan.InterfaceIndex, allowUnmarked: true, deleteNow: false)));
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
    /// <param name="allowUnmarked">Also a veth of that name without an alias: one whose creation a crash cut short before
    /// the alias was set (the rollback of a connect; the name holds 40 bits of the container id).</param>
    public void Teardown(string containerId, int interfaceIndex, Teardown t, bool deleteNow = false, bool allowUnmarked = false)
    {
        if (!IsContainerId(containerId)) throw EngineException.Invalid($"container id '{containerId}' is not 64 lower-case hex digits");
        t.Step($"delete veth {HostVethName(containerId, interfaceIndex)}", () => RetireHostVeth(containerId, interfaceIndex, allowUnmarked, deleteNow));
    }

    /// <summary>
    /// Host veths marked as a container's (alias "mydocker:ctr:&lt;id&gt;") whose container <paramref name="isLive"/>
    /// says is not live: the reconciler removes them with <see cref="Teardown"/>.
    /// </summary>
    public static IReadOnlyList<LinkInfo> OrphanVeths(IEnumerable<LinkInfo> links, Func<string, bool> isLive) =>
        links.Where(l => ContainerIdOf(l) is { } id && !isLive(id)).ToList();

    /// <summary>The container id in the alias of a host veth the engine made, or null for any other device.</summary>
    public static string? ContainerIdOf(LinkInfo link) => OwnerOf(link)?.ContainerId;

    /// <summary>The container id in the alias of a host veth the engine made and N of the ethN it is paired with, or null
    /// for any other device.</summary>
    public static (string ContainerId, int InterfaceIndex)? OwnerOf(LinkInfo link)
    {
        if (link.Kind != "veth" || link.Alias is not { } alias || !alias.StartsWith(AliasPrefix, StringComparison.Ordinal)) return null;
        string id = alias[AliasPrefix.Length..];
        if (!IsContainerId(id)) return null;
        if (link.Name == HostVethName(id)) return (id, 0);
        return link.Name.Length == 15 && link.Name.StartsWith(ExtraVethPrefix + id[..10], StringComparison.Ordinal)
            && int.TryParse(link.Name.AsSpan(13), System.Globalization.NumberStyles.AllowHexSpecifier, null, out int index)
            && index > 0 && link.Name == HostVethName(id, index)
                ? (id, index)
                : null;
    }

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
            hostIndex = netlink.CreateVethPair(plan.HostVeth, plan.ContainerInterface, fd.Fd, plan.Mac);
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

    /// <summary>lo up; ethN's address, up; the default route on the primary endpoint. The route needs ethN up: the
    /// kernel adds the connected route of the address only to a running device, and a gateway must be reachable through
    /// one (fib_check_nh).</summary>
    private static void ConfigureInside(IRtNetlink inside, EndpointPlan plan)
    {
        // A new netns has lo (always ifindex 1, LOOPBACK_IFINDEX) down.
        inside.SetUp(1);
        var eth = inside.GetLink(plan.ContainerInterface)
            ?? throw KernelException.FromErrno($"configure {plan.ContainerInterface}", KernelException.ENODEV, $"{plan.ContainerInterface} vanished from {plan.NetnsPath}");
        inside.AddAddress(eth.Index, plan.Address, plan.PrefixLength);
        inside.SetUp(eth.Index);
        if (plan.DefaultRoute) inside.AddRoute(IPAddress.Any, 0, plan.Gateway, eth.Index);
    }

    /// <summary>Points the container's default route at <paramref name="plan"/>'s gateway through its interface (the
    /// primary endpoint changed: the old one was disconnected, and its route went with its device).</summary>
    public void MoveDefaultRoute(EndpointPlan plan)
    {
        using var inside = OpenInside(plan);
        var eth = inside.GetLink(plan.ContainerInterface)
            ?? throw KernelException.FromErrno($"move the default route to {plan.ContainerInterface}", KernelException.ENODEV, $"{plan.ContainerInterface} is missing from {plan.NetnsPath}");
        inside.AddRoute(IPAddress.Any, 0, plan.Gateway, eth.Index, replace: true);
    }

    /// <summary>Takes the host veth off its bridge now and deletes it (in the background unless <paramref name="deleteNow"/>).</summary>
    private void RetireHostVeth(string containerId, int interfaceIndex, bool allowUnmarked, bool deleteNow)
    {
        string name = HostVethName(containerId, interfaceIndex), alias = AliasFor(containerId);
        var link = netlink.GetLink(name);
        if (link is null) return;
        // allowUnmarked: a rollback can run between the creation and the alias.
        bool Ours(LinkInfo l) => l.Kind == "veth" && (l.Alias == alias || (allowUnmarked && l.Alias is null));
        if (!Ours(link))
            throw EngineException.Conflict(
                $"device {name} is not marked as container {containerId[..12]}'s veth (alias '{link.Alias}'); MyDocker leaves it alone");
        if (deleteNow)
        {
            try { netlink.DeleteLink(name); }
            catch (KernelNotFoundException) { } // the reaper was quicker
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
