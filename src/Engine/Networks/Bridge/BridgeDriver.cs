using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Networks.Bridge;

/// <summary>
/// The kernel side of a bridge network: the bridge device (marked with an ifalias), its gateway address (the kernel
/// adds the connected route with it), IPv6 off, route_localnet with every port guarded, the link state, and the network's
/// elements in the engine's nftables table.
/// </summary>
public sealed class BridgeDriver(IRtNetlink netlink, IFirewall firewall, ISysctl sysctl, HostForwarding forwarding, LinkReaper reaper)
{
    /// <summary>Every bridge the engine creates carries the alias "mydocker:net:&lt;network id&gt;"; the reconciler
    /// removes aliased devices that no record owns, and the engine never touches a device without it.</summary>
    public const string AliasPrefix = "mydocker:net:";

    public static string AliasFor(string networkId) => AliasPrefix + networkId;

    public static FirewallNetwork FirewallView(Network n) => new(n.Bridge, n.Subnet.ToString(), n.Internal);

    /// <summary>Creates everything for <paramref name="n"/>, registering each undo in <paramref name="scope"/>.</summary>
    public void Setup(Network n, RollbackScope scope)
    {
        // Once the device exists, undo deletes it even before the alias is set (the record is still Creating).
        CreateDevice(n, onCreated: () => scope.OnRollback($"bridge {n.Bridge}", () => RetireBridge(n, allowUnmarked: true)));
        firewall.AddNetwork(FirewallView(n));
        CrashPoint.Hit("network-create:firewall-added");
        scope.OnRollback($"firewall elements of {n.Bridge}", () => firewall.RemoveNetwork(FirewallView(n)));
        forwarding.Enable(firewall);
    }

    /// <summary>Removes the network's kernel state. Every step runs; already-gone is success. The device is deleted in
    /// the background unless <paramref name="deleteDeviceNow"/> (the reconciler, which must leave a clean kernel).</summary>
    public void Teardown(Network n, Teardown t, bool deleteDeviceNow = false)
    {
        t.Step($"remove firewall elements of {n.Bridge}", () => firewall.RemoveNetwork(FirewallView(n)));
        CrashPoint.Hit("network-remove:firewall-removed");
        t.Step($"delete bridge {n.Bridge}", () => RetireBridge(n, allowUnmarked: n.Phase == NetworkPhase.Creating, deleteDeviceNow));
    }

    /// <summary>Re-creates whatever is missing of a Ready network's device state; returns what it repaired.
    /// <paramref name="links"/> and <paramref name="addresses"/> are one dump of the kernel, shared by every network
    /// the reconciler checks.</summary>
    public List<string> Repair(Network n, IReadOnlyList<LinkInfo> links, IReadOnlyList<AddressInfo> addresses)
    {
        var repaired = new List<string>();
        var link = links.FirstOrDefault(l => l.Name == n.Bridge);
        if (link is not null && link.Alias != AliasFor(n.Id))
            throw new EngineException(ErrorKind.Conflict,
                $"device {n.Bridge} of network '{n.Name}' exists but is not marked as ours (alias '{link.Alias}'); MyDocker leaves it alone — remove or rename it, then run 'mydocker system reconcile'");
        var (subnet, gateway) = (n.Subnet, n.Gateway);
        if (link is null)
        {
            CreateDevice(n);
            repaired.Add($"bridge {n.Bridge} of network '{n.Name}' re-created");
            return repaired;
        }
        bool hasAddress = addresses.Any(a => a.LinkIndex == link.Index && a.Address.Equals(gateway) && a.PrefixLength == subnet.PrefixLength);
        if (!hasAddress)
        {
            netlink.AddAddress(link.Index, gateway, subnet.PrefixLength);
            repaired.Add($"address {n.Gateway}/{subnet.PrefixLength} of bridge {n.Bridge} restored");
        }
        if (!link.IsUp)
        {
            netlink.SetUp(link.Index);
            repaired.Add($"bridge {n.Bridge} brought up");
        }
        if (sysctl.DisableIPv6(n.Bridge)) repaired.Add($"IPv6 turned off on bridge {n.Bridge} (it would accept router advertisements from containers)");
        GuardPorts(n, link, links, repaired);
        return repaired;
    }

    /// <summary>
    /// route_localnet stays on only while every port of the bridge carries the loopback guard: a container veth without
    /// it gets it back; when that fails, or a port is not the engine's (someone attached a device by hand), route_localnet
    /// goes off (fail closed: ports published on 127.0.0.1 stop answering through this network, containers never reach
    /// the host's loopback).
    /// </summary>
    private void GuardPorts(Network n, LinkInfo bridge, IReadOnlyList<LinkInfo> links, List<string> repaired)
    {
        var unguarded = new List<string>();
        foreach (var port in links.Where(l => l.MasterIndex == bridge.Index))
        {
            if (LoopbackGuard.IsInstalled(netlink, port.Index)) continue;
            if (EndpointDriver.ContainerIdOf(port) is null) { unguarded.Add($"{port.Name} (not a container's veth)"); continue; }
            try
            {
                LoopbackGuard.Install(netlink, port.Index);
                if (LoopbackGuard.IsInstalled(netlink, port.Index)) repaired.Add($"loopback guard of {port.Name} on bridge {n.Bridge} re-attached");
                else unguarded.Add($"{port.Name} (the guard does not read back: another tc ingress filter of priority {LoopbackGuard.Priority}?)");
            }
            catch (KernelException e) { unguarded.Add($"{port.Name} ({e.Message})"); }
        }
        if (unguarded.Count > 0)
        {
            sysctl.SetRouteLocalnet(n.Bridge, false);
            throw new EngineException(ErrorKind.Internal,
                $"ports of bridge {n.Bridge} (network '{n.Name}') lack the loopback guard: {string.Join(", ", unguarded)}; route_localnet is off, so ports published on 127.0.0.1 do not answer through this network — detach or fix those devices, then run 'mydocker system reconcile'");
        }
        sysctl.SetRouteLocalnet(n.Bridge, true);
    }

    /// <summary>The bridge device, marked as this network's, with its gateway address, IPv6 off, up, route_localnet on
    /// (it has no port yet; each container's veth gets its loopback guard before it joins).</summary>
    private void CreateDevice(Network n, Action? onCreated = null)
    {
        int index = netlink.CreateBridge(n.Bridge);
        onCreated?.Invoke();
        CrashPoint.Hit("network-create:bridge-created");
        // An alias cannot be given with RTM_NEWLINK's create (rtnl_create_link ignores IFLA_IFALIAS), hence a second request.
        netlink.SetAlias(index, AliasFor(n.Id));
        CrashPoint.Hit("network-create:alias-set");
        // While the device is still down: it never gets an IPv6 address nor takes a router advertisement from a container
        // (networks are IPv4 only; CVE-2020-13401).
        sysctl.DisableIPv6(n.Bridge);
        netlink.AddAddress(index, n.Gateway, n.Subnet.PrefixLength);
        netlink.SetUp(index);
        sysctl.SetRouteLocalnet(n.Bridge, true);
        CrashPoint.Hit("network-create:link-up");
    }

    /// <summary>Reads back what the kernel holds for <paramref name="n"/> (the plumbing panel). Read-only.</summary>
    public NetworkPlumbing Inspect(Network n)
    {
        var fw = firewall.Read();
        var sets = fw.SetsHolding(n.Bridge);
        string quoted = FirewallNames.Quote(n.Bridge);
        var elements = sets.Select(set => set == NftRuleset.SameBridgeSet ? $"{set}: {quoted} . {quoted}"
            : set == NftRuleset.HairpinMap ? $"{set}: {quoted} : jump {NftRuleset.HairpinChain(n.Bridge)}" : $"{set}: {quoted}").ToList();
        // Published ports of this network's containers: the map elements whose target is in the subnet.
        var published = fw.Ports.Where(p => n.Subnet.Contains(IPv4.ToUInt(p.ContainerIp))).ToList();
        elements.AddRange(published.Select(p => p.HostIp is null
            ? $"{NftRuleset.PortsAnyMap}: {p.Protocol} . {p.HostPort} : {p.ContainerIp} . {p.ContainerPort}"
            : $"{NftRuleset.PortsAddrMap}: {p.HostIp} . {p.Protocol} . {p.HostPort} : {p.ContainerIp} . {p.ContainerPort}"));
        var lookups = published.Count == 0 ? sets : [.. sets, NftRuleset.PortsAnyMap, NftRuleset.PortsAddrMap];
        var rules = lookups.Count == 0 ? [] : NftRuleset.RulesUsing(firewall.ListRulesetText(), lookups);
        var bridge = netlink.GetLink(n.Bridge);
        if (bridge is null) return new NetworkPlumbing(null, [], [], elements, rules);
        var addresses = netlink.ListAddresses().Where(a => a.LinkIndex == bridge.Index).Select(a => $"{a.Address}/{a.PrefixLength}").ToList();
        var ports = netlink.ListLinks().Where(l => l.MasterIndex == bridge.Index)
            .Select(l => Plumbing(l) with { ContainerId = EndpointDriver.ContainerIdOf(l) })
            .OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
        return new NetworkPlumbing(Plumbing(bridge), addresses, ports, elements, rules);
    }

    private static PlumbingLink Plumbing(LinkInfo l) => new(l.Name, l.Index, l.Kind, l.IsUp, l.Alias);

    /// <summary>Completes when a bridge of that name that is being deleted is gone (a re-used -o bridge.name waits for it).</summary>
    public Task WaitForRetiredAsync(string bridge) => reaper.WaitForAsync(bridge);

    /// <summary>A network request is under way: the background deletions of retired devices wait for a quiet moment (a
    /// deletion holds the RTNL lock, which would stall this request's kernel work).</summary>
    public void NoteActivity() => reaper.NoteActivity();

    /// <summary>
    /// Takes the bridge out of service now — its address goes, and with it the connected route — and leaves the slow
    /// device deletion to the <see cref="LinkReaper"/>. Refuses a device that is not marked as this network's.
    /// </summary>
    private void RetireBridge(Network n, bool allowUnmarked, bool deleteNow = false)
    {
        var link = netlink.GetLink(n.Bridge);
        if (link is null) return;
        bool Ours(LinkInfo l) => l.Alias == AliasFor(n.Id) || (allowUnmarked && l.Alias is null && l.Kind == "bridge");
        if (!Ours(link))
            throw new EngineException(ErrorKind.Conflict,
                $"device {n.Bridge} is not marked as network '{n.Name}''s bridge (alias '{link.Alias}'); MyDocker leaves it alone");
        if (deleteNow)
        {
            netlink.DeleteLink(n.Bridge);
            return;
        }
        netlink.DeleteAddress(link.Index, n.Gateway, n.Subnet.PrefixLength);
        reaper.Retire(n.Bridge, Ours);
    }
}
