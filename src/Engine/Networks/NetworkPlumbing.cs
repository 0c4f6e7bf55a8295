namespace MyDocker.Engine.Networks;

/// <summary>
/// What the kernel holds for one network right now, read back from netlink and nftables (never from the database),
/// so the dashboard shows what is really there: the bridge, the veths enslaved to it, and the firewall elements that
/// name the bridge with the rules that look them up.
/// </summary>
/// <param name="Bridge">The bridge device, or null when it is missing (the reconciler re-creates it).</param>
/// <param name="Addresses">The bridge's addresses ("10.1.0.1/24").</param>
/// <param name="Ports">Every device whose master is the bridge; a container's veth carries its id.</param>
/// <param name="FirewallElements">The table's elements naming the bridge, as nft lists them
/// (<c>masq_bridges: "md-web"</c>); empty when the table or the elements are missing.</param>
/// <param name="FirewallRules">The table's rules that look those sets up, as "chain: rule".</param>
public sealed record NetworkPlumbing(
    PlumbingLink? Bridge, IReadOnlyList<string> Addresses, IReadOnlyList<PlumbingLink> Ports,
    IReadOnlyList<string> FirewallElements, IReadOnlyList<string> FirewallRules);

/// <summary>A network device as the kernel reports it; <paramref name="ContainerId"/> is set for a container's
/// host-side veth (from its alias).</summary>
public sealed record PlumbingLink(string Name, int Index, string? Kind, bool IsUp, string? Alias, string? ContainerId = null);
