using System.Text;
using static MyDocker.Engine.Networks.Firewall.FirewallNames;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>
/// The nft command text of the engine table. Pure functions (golden-tested without root).
/// <code>
/// table ip mydocker                     our own table: nothing else writes it, and Rebuild may replace it whole
///   set bridges          ifname         every engine bridge
///   set internal_bridges ifname         --internal networks
///   set masq_bridges     ifname         networks whose egress is masqueraded
///   set same_bridge      ifname . ifname   (br, br): traffic that stays in one network
///   map ports_any        proto . port : container ip . port          published on every host address
///   map ports_addr       host ip . proto . port : container ip . port   published on one host address
///   map hairpin          ifname : jump hp_BRIDGE     per bridge: masquerade DNATed traffic from its own subnet
///   chain guard          filter/prerouting (raw),  policy accept
///   chain prerouting     nat/prerouting,  policy accept   DNAT of packets from outside the host
///   chain output         nat/output,      policy accept   DNAT of the host's own packets
///   chain forward        filter/forward,  policy accept
///   chain host_routing   filter/forward,  policy accept   only while the engine owns ip_forward (HostForwarding)
///   chain postrouting    nat/postrouting, policy accept
///   chain hp_BRIDGE      (regular) one rule: ip saddr SUBNET masquerade
/// </code>
/// Why this shape:
/// <list type="bullet">
/// <item>An own table rather than rules in a shared one: tables are namespaces of their own (nftables wiki,
/// "Configuring tables"), so the engine can replace or delete everything it owns without touching the host's
/// firewall. The table carries a comment (nft(8) TABLES, nftables ≥ 0.9.7) so it is recognisable as ours.</item>
/// <item>Base chains with policy accept: several base chains on one hook are all traversed in priority order, and
/// an accept in ours does not override a drop in another table (wiki, "Netfilter hooks"). We only drop what we
/// must and leave the host's own policy in charge of everything else.</item>
/// <item>Sets instead of a rule per network: a set lookup costs the same for 1 or 1,000 networks (wiki "Sets"),
/// isolation needs no N×N rules, and per-network changes are element changes inside one transaction.</item>
/// <item>Published ports are elements of two keyed maps read by one DNAT rule each ("dnat ip to KEY map @m", nft(8)
/// MAPS; wiki "Multiple NATs using nftables maps"): a new connection costs one hash lookup whatever the number of
/// mappings, and adding or removing one is one element change. Docker, netavark and CNI portmap write a rule per
/// mapping instead.</item>
/// <item>Masquerade is keyed on the ingress bridge, not on (bridge, subnet) as Docker's "-s subnet ! -o br" is.
/// A (bridge . subnet) set needs intervals, and nft 1.0.6 reads every element of an interval set into its cache
/// before it adds or deletes one: measured, one network's add+remove took ~84 ms with 1,000 networks against
/// ~0.2 ms with plain ifname sets. Keying on the bridge is also stricter: a container spoofing a source outside
/// its subnet is masqueraded too, so no foreign source address leaves the host.</item>
/// <item>Hairpin (a container reaching a published port through a host address, its own included) must be
/// masqueraded, or the reply would go straight back over the bridge un-NATed. It is keyed on the source subnet, not
/// on the ingress interface: with br_netfilter loaded (bridge-nf-call-iptables, as Docker leaves it) a DNATed packet
/// whose target is on the same bridge is bridged, not routed, and reaches postrouting with no input device but with
/// the bridge as output (br_netfilter.c, br_nf_pre_routing_finish). A chain per bridge holds that one rule, reached
/// through a verdict map, so adding or removing a network still needs no rule handle.</item>
/// </list>
/// IPv4 only (family ip); IPv6 would get a twin table of family ip6.
/// </summary>
internal static class NftRuleset
{
    public const string Family = "ip", Table = "mydocker", Comment = "owned by mydockerd";
    public const string BridgesSet = "bridges", InternalSet = "internal_bridges", MasqSet = "masq_bridges", SameBridgeSet = "same_bridge";
    public const string PortsAnyMap = "ports_any", PortsAddrMap = "ports_addr", HairpinMap = "hairpin";
    public const string GuardChain = "guard", PreroutingChain = "prerouting", OutputChain = "output";
    public const string ForwardChain = "forward", PostroutingChain = "postrouting", HostRoutingChain = "host_routing";
    /// <summary>Prefix of the per-bridge hairpin chains: "hp_" + bridge name (16 bytes at most, well inside nft's 256).</summary>
    public const string HairpinChainPrefix = "hp_";

    public const string ListTable = $"list table {Family} {Table}";
    public const string ListTables = $"list tables {Family}";

    private const string Qualified = $"{Family} {Table}";

    /// <summary>
    /// Forward chain, first match wins:
    /// 1. (br, br) accept — traffic within one network reaches the IP forward hook only through br_netfilter
    ///    (bridge-nf-call-iptables), where both iif and oif are the bridge itself (the case Docker's
    ///    "-i br -o br -j ACCEPT" covers). It must pass before the internal and isolation drops.
    /// 2./3. Internal networks: nothing forwarded in or out. Host⇄container traffic is input/output, not forward,
    ///    so the host can still reach the gateway address, as with Docker's internal networks.
    /// 4. DNATed connections into a bridge: published ports, from outside and from containers of other networks
    ///    (a published port is public; its replies match too, their conntrack entry carries the DNAT status).
    /// 5. Two different engine bridges: isolation.
    /// 6./7. Into a bridge: replies only; routed access to unpublished container ports from outside is dropped
    ///    (Docker 28 does the same).
    /// Egress from a bridge falls through to the accept policy.
    /// </summary>
    private static readonly string[] ForwardRules =
    [
        $"iifname . oifname @{SameBridgeSet} accept",
        $"iifname @{InternalSet} drop",
        $"oifname @{InternalSet} drop",
        $"oifname @{BridgesSet} ct status dnat accept",
        $"iifname @{BridgesSet} oifname @{BridgesSet} drop",
        $"oifname @{BridgesSet} ct state established,related accept",
        $"oifname @{BridgesSet} drop",
    ];

    /// <summary>
    /// While the engine is the one that turned ip_forward on (Networks.HostForwarding), the host must not start routing
    /// between its other interfaces: forwarded traffic that touches no engine bridge is dropped, as it was before
    /// forwarding was on. Its own base chain on the forward hook rather than a last rule of <see cref="ForwardChain"/>:
    /// the forward chain accepts nothing that touches no bridge (its policy does, and an accept only ends that chain; every
    /// base chain on a hook runs), so the effect is the same, and a chain can be added, emptied and re-filled in one
    /// idempotent batch (<see cref="AddHostRoutingDrop"/>) without a rule handle.
    /// </summary>
    private static readonly string[] HostRoutingRules =
    [
        $"iifname != @{BridgesSet} oifname != @{BridgesSet} drop",
    ];

    private const string HostRoutingHook = "type filter hook forward priority filter; policy accept;";

    /// <summary>
    /// 1. Our bridges have route_localnet on (see <see cref="OutputRules"/>), which would let a container reach the host's
    ///    loopback services by sending to 127.0.0.1 through its gateway. Nothing on a bridge may address 127/8.
    /// 2. The name resolver (<see cref="Dns.ResolverAddress"/>) answers containers only: from anywhere but a bridge or the
    ///    host itself, its address is dropped (a LAN peer routing 169.254.53.53 to the host gets nothing).
    /// 3. The resolver knows the asker by its source address, so a container must not borrow one from another network:
    ///    a source that would not be routed back out of the bridge it came in on is dropped ("fib saddr . iif oif
    ///    missing", nft(8) FIB EXPRESSIONS: strict reverse-path filtering, for resolver traffic only, so containers that
    ///    route for others are not affected). One rule for every network, none per name.
    /// </summary>
    private static readonly string[] GuardRules =
    [
        $"iifname @{BridgesSet} ip daddr 127.0.0.0/8 drop",
        $"ip daddr {Dns.ResolverAddress.Text} iifname != @{BridgesSet} iifname != \"lo\" drop",
        $"ip daddr {Dns.ResolverAddress.Text} fib saddr . iif oif missing drop",
    ];

    /// <summary>
    /// Packets arriving from outside the host (LAN clients, containers). Loopback destinations are never translated:
    /// a LAN peer can send a packet for 127.0.0.1:PORT to the host's MAC, and DNAT in prerouting runs before the
    /// routing decision that would drop it as a martian, so a 127.0.0.1-only port would be reachable from the LAN (the
    /// hole Docker closed in 28.0.0, moby#45610). "fib daddr type local" limits the any-address map to the host's own
    /// addresses (a container's gateway address included), so traffic routed through the host is left alone.
    /// </summary>
    private static readonly string[] PreroutingRules =
    [
        "ip daddr 127.0.0.0/8 return",
        // The resolver's address is a host address too ("fib daddr type local"): a container publishing port 53 (a
        // Pi-hole) would otherwise take every container's DNS (podman #23226).
        $"ip daddr {Dns.ResolverAddress.Text} return",
        $"dnat ip to ip daddr . meta l4proto . th dport map @{PortsAddrMap}",
        $"fib daddr type local dnat ip to meta l4proto . th dport map @{PortsAnyMap}",
    ];

    /// <summary>
    /// The host's own connections (curl 127.0.0.1:PORT or HOSTIP:PORT) never pass prerouting; nat/output translates
    /// them. A 127.0.0.1 source may then leave through a bridge only where route_localnet is on for that bridge
    /// (the routing code refuses loopback sources on other devices otherwise), and is masqueraded on the way out.
    /// </summary>
    private static readonly string[] OutputRules =
    [
        $"ip daddr {Dns.ResolverAddress.Text} return",
        $"dnat ip to ip daddr . meta l4proto . th dport map @{PortsAddrMap}",
        $"fib daddr type local dnat ip to meta l4proto . th dport map @{PortsAnyMap}",
    ];

    /// <summary>masquerade = SNAT to the output interface's primary address (nft(8) NAT STATEMENTS). "!= @set" is a
    /// negated set lookup. Egress to another engine bridge keeps its source (and is dropped by isolation anyway).
    /// Published ports: DNATed connections from a container's own subnet (hairpin) and from the host itself (127.0.0.1
    /// or a host address as source) are masqueraded; a LAN client's source address is kept.</summary>
    private static readonly string[] PostroutingRules =
    [
        $"ct status dnat oifname vmap @{HairpinMap}",
        $"ct status dnat oifname @{BridgesSet} fib saddr type local masquerade",
        $"iifname @{MasqSet} oifname != @{BridgesSet} masquerade",
    ];

    /// <summary>Deletes the table; adding it first makes the delete succeed when there is none (nft 1.0.6 has no "destroy").</summary>
    public const string RemoveTable = $"add table {Qualified}\ndelete table {Qualified}\n";

    /// <summary>
    /// "add table" + "delete table" + the full definition, as one batch: the wiki's atomic rule replacement
    /// ("Atomic rule replacement"). The add makes the delete succeed when the table does not exist yet; the kernel
    /// applies the three commands as one transaction, so packets see the old table or the new one, never none.
    /// <paramref name="dropHostRouting"/> adds <see cref="HostRoutingChain"/>.
    /// </summary>
    public static string Rebuild(IReadOnlyCollection<FirewallNetwork> networks, IReadOnlyCollection<PortMapping> ports, bool dropHostRouting = false)
    {
        var checkedPorts = ports.Select(Check).ToList();
        var duplicatePort = checkedPorts.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicatePort is not null)
            throw new ArgumentException($"Published port {duplicatePort.First()} appears more than once.", nameof(ports));
        var checkedNetworks = networks.Select(Check).OrderBy(n => n.Bridge, StringComparer.Ordinal).ToList();
        var duplicate = checkedNetworks.GroupBy(n => n.Bridge).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Bridge '{duplicate.Key}' appears in more than one firewall network.", nameof(networks));

        var b = new StringBuilder();
        b.Append("add table ").Append(Qualified).Append('\n');
        b.Append("delete table ").Append(Qualified).Append('\n');
        b.Append("table ").Append(Qualified).Append(" {\n");
        b.Append("  comment ").Append(Quote(Comment)).Append('\n');
        Set(b, BridgesSet, "ifname", checkedNetworks.Select(n => Quote(n.Bridge)));
        Set(b, InternalSet, "ifname", checkedNetworks.Where(n => n.Internal).Select(n => Quote(n.Bridge)));
        Set(b, MasqSet, "ifname", checkedNetworks.Where(n => !n.Internal).Select(n => Quote(n.Bridge)));
        Set(b, SameBridgeSet, "ifname . ifname", checkedNetworks.Select(SameBridgeElement));
        Set(b, PortsAnyMap, "inet_proto . inet_service : ipv4_addr . inet_service", checkedPorts.Where(p => p.HostIp is null).Select(PortElement), "map");
        Set(b, PortsAddrMap, "ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service", checkedPorts.Where(p => p.HostIp is not null).Select(PortElement), "map");
        Set(b, HairpinMap, "ifname : verdict", [], "map");
        foreach (var n in checkedNetworks) Chain(b, HairpinChain(n), null, [HairpinRule(n)]);
        // raw (-300): before conntrack, so a dropped packet leaves no entry behind.
        Chain(b, GuardChain, "type filter hook prerouting priority raw; policy accept;", GuardRules);
        Chain(b, PreroutingChain, "type nat hook prerouting priority dstnat; policy accept;", PreroutingRules);
        // nft 1.0.6 accepts the name "dstnat" for prerouting only; -100 is its value (nft(8) CHAINS, priority table).
        Chain(b, OutputChain, "type nat hook output priority -100; policy accept;", OutputRules);
        Chain(b, ForwardChain, "type filter hook forward priority filter; policy accept;", ForwardRules);
        if (dropHostRouting) Chain(b, HostRoutingChain, HostRoutingHook, HostRoutingRules);
        Chain(b, PostroutingChain, "type nat hook postrouting priority srcnat; policy accept;", PostroutingRules);
        b.Append("}\n");
        // Verdict elements name their chain, so they follow the table block that makes the chains.
        foreach (var n in checkedNetworks) Add(b, HairpinMap, HairpinElement(n));
        return b.ToString();
    }

    /// <summary>The host-routing drop added to an existing table: add + flush + add rule, so the chain ends up with exactly
    /// its one rule whether or not it existed.</summary>
    public static string AddHostRoutingDrop()
    {
        var b = new StringBuilder();
        b.Append("add chain ").Append(Qualified).Append(' ').Append(HostRoutingChain).Append(" { ").Append(HostRoutingHook).Append(" }\n");
        b.Append("flush chain ").Append(Qualified).Append(' ').Append(HostRoutingChain).Append('\n');
        foreach (var r in HostRoutingRules) b.Append("add rule ").Append(Qualified).Append(' ').Append(HostRoutingChain).Append(' ').Append(r).Append('\n');
        return b.ToString();
    }

    /// <summary>
    /// Elements of one network. The set the network does not belong to (internal vs masquerade) gets an add+delete
    /// of its element too, so the kernel ends up matching the record even if the record's kind changed.
    /// </summary>
    public static string AddNetwork(FirewallNetwork network)
    {
        var n = Check(network);
        var b = new StringBuilder();
        Add(b, BridgesSet, Quote(n.Bridge));
        Add(b, SameBridgeSet, SameBridgeElement(n));
        // add + flush + add rule: the chain ends up with exactly one rule whether or not it existed.
        b.Append("add chain ").Append(Qualified).Append(' ').Append(HairpinChain(n)).Append('\n');
        b.Append("flush chain ").Append(Qualified).Append(' ').Append(HairpinChain(n)).Append('\n');
        b.Append("add rule ").Append(Qualified).Append(' ').Append(HairpinChain(n)).Append(' ').Append(HairpinRule(n)).Append('\n');
        Add(b, HairpinMap, HairpinElement(n));
        if (n.Internal)
        {
            Add(b, InternalSet, Quote(n.Bridge));
            Remove(b, MasqSet, Quote(n.Bridge));
        }
        else
        {
            Remove(b, InternalSet, Quote(n.Bridge));
            Add(b, MasqSet, Quote(n.Bridge));
        }
        return b.ToString();
    }

    /// <summary>Removes the network's element from every set, whatever its kind. Uses add-then-delete for each
    /// element: nft 1.0.6 has no "destroy" (nftables ≥ 1.0.8), "add element" of an existing element is not an
    /// error, so the delete always finds its element and the batch succeeds whether or not it was there.</summary>
    public static string RemoveNetwork(FirewallNetwork network)
    {
        var n = Check(network);
        var b = new StringBuilder();
        Remove(b, SameBridgeSet, SameBridgeElement(n));
        Remove(b, InternalSet, Quote(n.Bridge));
        Remove(b, MasqSet, Quote(n.Bridge));
        Remove(b, BridgesSet, Quote(n.Bridge));
        // The element refers to the chain, so it goes first; "add chain" makes the delete succeed when it is gone.
        b.Append("add chain ").Append(Qualified).Append(' ').Append(HairpinChain(n)).Append('\n');
        Remove(b, HairpinMap, HairpinElement(n));
        b.Append("delete chain ").Append(Qualified).Append(' ').Append(HairpinChain(n)).Append('\n');
        return b.ToString();
    }

    /// <summary>Adds mappings. <paramref name="replacing"/> are keys the kernel already holds (found after a plain add
    /// failed with EEXIST: "add element" refuses an existing key with other data): they are deleted first in the same
    /// batch, so the kernel swaps the target atomically.</summary>
    public static string AddPorts(IEnumerable<PortMapping> ports, IEnumerable<PortMapping>? replacing = null)
    {
        var b = new StringBuilder();
        foreach (var p in (replacing ?? []).Select(Check)) DeleteElement(b, PortMapOf(p), PortKey(p));
        foreach (var p in ports.Select(Check)) Add(b, PortMapOf(p), PortElement(p));
        return b.ToString();
    }

    /// <summary>Deletes mappings by key. Every key must be in the kernel (nft 1.0.6 has no "destroy", and "add" of a
    /// key with other data fails, so add-then-delete cannot be used here): the caller retries with the keys it found.</summary>
    public static string RemovePorts(IEnumerable<PortMapping> ports)
    {
        var b = new StringBuilder();
        foreach (var p in ports.Select(Check)) DeleteElement(b, PortMapOf(p), PortKey(p));
        return b.ToString();
    }

    /// <summary>
    /// The rules of a table listing (the text of <c>list table</c>) that look up any of <paramref name="sets"/>, as
    /// "chain: rule". nft prints one rule per line inside a "chain NAME {" block, after the chain's "type …" line.
    /// </summary>
    public static IReadOnlyList<string> RulesUsing(string listing, IEnumerable<string> sets)
    {
        var lookups = sets.Select(s => "@" + s).ToList();
        var found = new List<string>();
        string? chain = null;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("chain ", StringComparison.Ordinal) && line.EndsWith('{')) chain = line[6..^1].Trim();
            else if (line == "}") chain = null;
            else if (chain is not null && !line.StartsWith("type ", StringComparison.Ordinal)
                     && line.Split(' ').Any(word => lookups.Contains(word)))
                found.Add($"{chain}: {line}");
        }
        return found;
    }

    private static PortMapping Check(PortMapping p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Protocol is not ("tcp" or "udp")) throw new ArgumentException($"Protocol '{p.Protocol}' is not tcp or udp.", nameof(p));
        if (p.HostPort is < 1 or > 65535 || p.ContainerPort is < 1 or > 65535)
            throw new ArgumentException($"Port mapping {p} has a port outside 1..65535.", nameof(p));
        if (p.ContainerIp.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || p.HostIp is { } h && (h.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || h.Equals(System.Net.IPAddress.Any)))
            throw new ArgumentException($"Port mapping {p} needs IPv4 addresses (and a null host address for all of them).", nameof(p));
        return p;
    }

    private static string PortMapOf(PortMapping p) => p.HostIp is null ? PortsAnyMap : PortsAddrMap;

    /// <summary>IPAddress.ToString of a checked IPv4 address is dotted decimal: nothing else can reach the text.</summary>
    private static string PortKey(PortMapping p) => p.HostIp is null ? $"{p.Protocol} . {p.HostPort}" : $"{p.HostIp} . {p.Protocol} . {p.HostPort}";

    private static string PortElement(PortMapping p) => $"{PortKey(p)} : {p.ContainerIp} . {p.ContainerPort}";

    public static string HairpinChain(string bridge) => HairpinChainPrefix + bridge;

    /// <summary>The number of rules each chain of a complete table holds (0: the chain must not hold any).</summary>
    public static Dictionary<string, int> ExpectedRuleCounts(IEnumerable<string> bridges, bool dropHostRouting = false)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [GuardChain] = GuardRules.Length, [PreroutingChain] = PreroutingRules.Length, [OutputChain] = OutputRules.Length,
            [ForwardChain] = ForwardRules.Length, [PostroutingChain] = PostroutingRules.Length,
            [HostRoutingChain] = dropHostRouting ? HostRoutingRules.Length : 0,
        };
        foreach (var bridge in bridges) counts[HairpinChain(bridge)] = 1;
        return counts;
    }

    private static string HairpinChain(FirewallNetwork n) => HairpinChain(n.Bridge);

    private static string HairpinRule(FirewallNetwork n) => $"ip saddr {n.Subnet} masquerade";

    private static string HairpinElement(FirewallNetwork n) => $"{Quote(n.Bridge)} : jump {HairpinChain(n)}";

    private static FirewallNetwork Check(FirewallNetwork n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return n with { Bridge = FirewallNames.Bridge(n.Bridge), Subnet = FirewallNames.Subnet(n.Subnet) };
    }

    private static string SameBridgeElement(FirewallNetwork n) => $"{Quote(n.Bridge)} . {Quote(n.Bridge)}";

    private static void Add(StringBuilder b, string set, string element) =>
        b.Append("add element ").Append(Qualified).Append(' ').Append(set).Append(" { ").Append(element).Append(" }\n");

    private static void Remove(StringBuilder b, string set, string element)
    {
        Add(b, set, element);
        DeleteElement(b, set, element);
    }

    private static void DeleteElement(StringBuilder b, string set, string element) =>
        b.Append("delete element ").Append(Qualified).Append(' ').Append(set).Append(" { ").Append(element).Append(" }\n");

    private static void Set(StringBuilder b, string name, string type, IEnumerable<string> elements, string kind = "set")
    {
        b.Append("  ").Append(kind).Append(' ').Append(name).Append(" {\n");
        b.Append("    type ").Append(type).Append('\n');
        // An empty "elements = { }" is a syntax error, so an empty set has no elements line.
        var list = string.Join(", ", elements);
        if (list.Length > 0) b.Append("    elements = { ").Append(list).Append(" }\n");
        b.Append("  }\n");
    }

    private static void Chain(StringBuilder b, string name, string? hook, IEnumerable<string> rules)
    {
        b.Append("  chain ").Append(name).Append(" {\n");
        if (hook is not null) b.Append("    ").Append(hook).Append('\n');
        foreach (var r in rules) b.Append("    ").Append(r).Append('\n');
        b.Append("  }\n");
    }
}
