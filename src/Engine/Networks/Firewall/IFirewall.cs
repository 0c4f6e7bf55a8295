namespace MyDocker.Engine.Networks.Firewall;

/// <summary>One bridge network as the firewall sees it.</summary>
/// <param name="Bridge">The bridge device name (validated: 1..15 bytes of [A-Za-z0-9_.-]).</param>
/// <param name="Subnet">The IPv4 subnet in canonical form, host bits zero ("10.0.0.0/24"). Validated; isolation and
/// egress masquerade key on the bridge, the hairpin masquerade on the subnet (see NftRuleset for why).</param>
/// <param name="Internal">A <c>--internal</c> network: no forwarding in or out of the bridge, no masquerade.</param>
public sealed record FirewallNetwork(string Bridge, string Subnet, bool Internal);

/// <summary>One published port: packets for <paramref name="HostIp"/>:<paramref name="HostPort"/> (any local address when
/// null) are DNATed to <paramref name="ContainerIp"/>:<paramref name="ContainerPort"/>.</summary>
/// <param name="Protocol">"tcp" or "udp".</param>
public sealed record PortMapping(string Protocol, System.Net.IPAddress? HostIp, int HostPort, System.Net.IPAddress ContainerIp, int ContainerPort)
{
    /// <summary>What the kernel keys the mapping on: two mappings with the same key cannot both exist.</summary>
    public (string Protocol, System.Net.IPAddress? HostIp, int HostPort) Key => (Protocol, HostIp, HostPort);

    public override string ToString() => $"{HostIp?.ToString() ?? "0.0.0.0"}:{HostPort}/{Protocol} -> {ContainerIp}:{ContainerPort}";
}

/// <summary>
/// The engine's packet filter and source NAT for bridge networks. Every method is one kernel transaction, so a
/// failure leaves the previous state in place. Implementations are thread-safe and bound to one network namespace.
/// Failures from the kernel are reported as <see cref="EngineException"/> (<see cref="ErrorKind.Internal"/>);
/// a malformed record as <see cref="ArgumentException"/> before anything is sent.
/// </summary>
public interface IFirewall
{
    /// <summary>Replaces the whole engine table atomically with the base rules plus these networks and published ports
    /// (start-up / reconcile). Removes anything in our table that no record owns. One transaction.</summary>
    void Rebuild(IReadOnlyCollection<FirewallNetwork> networks, IReadOnlyCollection<PortMapping>? ports = null);

    /// <summary>Publishes ports: one transaction, whatever their number. A mapping whose key is already in the kernel with
    /// another target is replaced in the same transaction, so a stale element can never keep capturing traffic.</summary>
    void AddPorts(IReadOnlyCollection<PortMapping> ports);

    /// <summary>Withdraws ports in one transaction. Idempotent: mappings already gone (even the whole table) are fine.</summary>
    void RemovePorts(IReadOnlyCollection<PortMapping> ports);

    /// <summary>Compares the kernel with everything this instance was asked for (its last <see cref="Rebuild"/> plus the
    /// changes since) and rebuilds the table when they differ (someone flushed the ruleset or edited our table).
    /// Returns what it repaired, or null when the kernel matched.</summary>
    string? Restore();

    /// <summary>Adds one network's elements in one transaction. Idempotent (adding an element that exists is fine).
    /// Creates the base table first when it is missing.</summary>
    void AddNetwork(FirewallNetwork n);

    /// <summary>Removes one network's elements in one transaction. Idempotent: already gone (even the whole table)
    /// counts as success.</summary>
    void RemoveNetwork(FirewallNetwork n);

    /// <summary>
    /// Drops forwarded traffic that touches no engine bridge (the engine turned ip_forward on, so the host must not start
    /// routing between its other interfaces; see Networks.HostForwarding). One idempotent transaction on an existing
    /// table; a missing table gets the drop when it is built. From then on <see cref="Rebuild"/> and <see cref="Restore"/>
    /// keep it for as long as the instance's host-routing switch says so.
    /// </summary>
    void DropHostRouting();

    /// <summary>Deletes the engine table, whatever it holds (no networks left: the engine leaves no trace). Idempotent.</summary>
    void Remove();

    /// <summary>What the kernel has now: the bridges present in our sets, and whether the base table/chains exist.</summary>
    FirewallState Read();

    /// <summary>The bridges of the networks this instance was asked for (what <see cref="Restore"/> keeps the kernel at;
    /// no kernel read).</summary>
    IReadOnlyList<string> Bridges();

    /// <summary>The engine table as nft prints it, without the contents of its sets and maps; "" when the table does not
    /// exist.</summary>
    string ListRulesetText();
}

/// <param name="TableExists">True when the engine table exists with all of its base sets and chains; false when
/// the table is missing or incomplete (the reconciler then calls <see cref="IFirewall.Rebuild"/>).</param>
/// <param name="Bridges">Every bridge in the isolation set.</param>
/// <param name="InternalBridges">Bridges whose traffic may not leave the bridge.</param>
/// <param name="MasqueradeBridges">Bridges whose traffic leaving for a non-engine interface is masqueraded (SNAT).</param>
public sealed record FirewallState(bool TableExists, IReadOnlySet<string> Bridges, IReadOnlySet<string> InternalBridges, IReadOnlySet<string> MasqueradeBridges)
{
    public static FirewallState Missing { get; } = new(false, new HashSet<string>(), new HashSet<string>(), new HashSet<string>()) { Present = false };

    /// <summary>A table of the engine's name exists at all, complete or not.</summary>
    public bool Present { get; init; } = true;

    /// <summary>Published ports in the kernel's maps.</summary>
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    /// <summary>Bridges with a hairpin masquerade chain (their element in the hairpin verdict map).</summary>
    public IReadOnlySet<string> HairpinBridges { get; init; } = new HashSet<string>();

    /// <summary>How many rules each of our chains holds (chain name → count).</summary>
    public IReadOnlyDictionary<string, int> RuleCounts { get; init; } = new Dictionary<string, int>();

    /// <summary>True when the kernel holds exactly these networks and ports, with every rule of the table in place (a
    /// rule deleted by hand, such as the loopback guard, shows as a count that differs), and the host-routing drop
    /// exactly when <paramref name="dropHostRouting"/>.</summary>
    public bool Matches(IReadOnlyCollection<FirewallNetwork> networks, IReadOnlyCollection<PortMapping> ports, bool dropHostRouting = false) =>
        TableExists
        && Bridges.SetEquals(networks.Select(n => n.Bridge))
        && InternalBridges.SetEquals(networks.Where(n => n.Internal).Select(n => n.Bridge))
        && MasqueradeBridges.SetEquals(networks.Where(n => !n.Internal).Select(n => n.Bridge))
        && SameBridges.SetEquals(networks.Select(n => n.Bridge))
        && HairpinBridges.SetEquals(networks.Select(n => n.Bridge))
        && Ports.Count == ports.Count && Ports.ToHashSet().SetEquals(ports)
        && NftRuleset.ExpectedRuleCounts(networks.Select(n => n.Bridge), dropHostRouting).All(e => RuleCounts.GetValueOrDefault(e.Key) == e.Value);

    /// <summary>Bridges with their (bridge . bridge) element in the same-bridge set.</summary>
    public IReadOnlySet<string> SameBridges { get; init; } = new HashSet<string>();

    /// <summary>The engine's sets that hold <paramref name="bridge"/>.</summary>
    public IReadOnlyList<string> SetsHolding(string bridge) =>
    [
        .. Bridges.Contains(bridge) ? [NftRuleset.BridgesSet] : Array.Empty<string>(),
        .. InternalBridges.Contains(bridge) ? [NftRuleset.InternalSet] : Array.Empty<string>(),
        .. MasqueradeBridges.Contains(bridge) ? [NftRuleset.MasqSet] : Array.Empty<string>(),
        .. SameBridges.Contains(bridge) ? [NftRuleset.SameBridgeSet] : Array.Empty<string>(),
        .. HairpinBridges.Contains(bridge) ? [NftRuleset.HairpinMap] : Array.Empty<string>(),
    ];
}
