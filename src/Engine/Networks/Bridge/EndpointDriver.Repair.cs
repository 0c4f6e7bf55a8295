using System.Net;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Networks.Bridge;

public sealed partial class EndpointDriver
{
    /// <summary>
    /// Brings a container's endpoint back to its plan (the reconciler): a missing pair is re-created; a host veth off its
    /// bridge or down, lo or ethN down, ethN without its address, a missing or wrong default route (primary endpoint
    /// only) are fixed in place. Returns what it repaired (empty when all was well). eth0's MAC is not checked: LinkInfo does not
    /// carry it, and a re-created pair gets the planned one again.
    /// <paramref name="hostLinks"/> is an optional dump of the host's links shared by every endpoint checked in one pass.
    /// </summary>
    /// <exception cref="EngineException">NotFound when the bridge or the netns is gone (repair the network, or retire
    /// the container, first); Conflict when a device of the veth's name is not ours.</exception>
    public List<string> Repair(EndpointPlan plan, IReadOnlyList<LinkInfo>? hostLinks = null)
    {
        var bridge = Prepare(plan);
        string who = $"container {plan.ContainerId[..12]}";
        var repaired = new List<string>();
        var host = hostLinks is null ? netlink.GetLink(plan.HostVeth) : hostLinks.FirstOrDefault(l => l.Name == plan.HostVeth);
        if (host is not null && (host.Alias != plan.Alias || host.Kind != "veth"))
            throw EngineException.Conflict(
                $"device {plan.HostVeth} of {who} exists but is not marked as its veth (alias '{host.Alias}'); MyDocker leaves it alone — remove or rename it, then run 'mydocker system reconcile'");

        using var inside = OpenInside(plan);
        string ethName = plan.ContainerInterface;
        var eth0 = inside.GetLink(ethName);
        if (host is null || eth0 is null || eth0.Kind != "veth")
        {
            // One end of a pair cannot outlive the other, so one side missing means the pair is gone (or eth0 is a
            // device someone else put there, in a namespace only this container uses): start over.
            if (host is not null) netlink.DeleteLink(host.Name);
            if (eth0 is not null) inside.DeleteLink(ethName);
            CreatePair(plan, bridge);
            ConfigureInside(inside, plan);
            repaired.Add($"veth pair {plan.HostVeth}/{ethName} of {who} re-created");
            return repaired;
        }

        if (host.MasterIndex != bridge.Index)
        {
            LoopbackGuard.Install(netlink, host.Index);
            netlink.SetMaster(host.Index, bridge.Index);
            netlink.SetHairpin(host.Index);
            repaired.Add($"veth {plan.HostVeth} of {who} put back on bridge {plan.Bridge}");
        }
        if (!host.IsUp)
        {
            netlink.SetUp(host.Index);
            repaired.Add($"veth {plan.HostVeth} of {who} brought up");
        }
        if (inside.GetLink(1) is { IsUp: false })
        {
            inside.SetUp(1);
            repaired.Add($"lo of {who} brought up");
        }
        // Before the address and route checks: taking a device down flushes the routes through it.
        if (!eth0.IsUp)
        {
            inside.SetUp(eth0.Index);
            repaired.Add($"{ethName} of {who} brought up");
        }
        if (!inside.ListAddresses().Any(a => a.LinkIndex == eth0.Index && a.Address.Equals(plan.Address) && a.PrefixLength == plan.PrefixLength))
        {
            inside.AddAddress(eth0.Index, plan.Address, plan.PrefixLength);
            repaired.Add($"address {plan.Address}/{plan.PrefixLength} of {who} restored");
        }
        if (!plan.DefaultRoute) return repaired;
        var defaults = inside.ListRoutes().Where(r => r.PrefixLength == 0).ToList();
        if (!defaults.Any(r => r.OutputLinkIndex == eth0.Index && plan.Gateway.Equals(r.Gateway)))
        {
            inside.AddRoute(IPAddress.Any, 0, plan.Gateway, eth0.Index, replace: true);
            repaired.Add($"default route via {plan.Gateway} of {who} restored");
        }
        return repaired;
    }
}
