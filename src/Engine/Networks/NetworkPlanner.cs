using System.Security.Cryptography;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Networks;

/// <summary>What a user asked for: the API's and the CLI's words, unchecked.</summary>
public sealed record NetworkCreateSpec(
    string? Name,
    string? Driver = null,
    string? Subnet = null,
    string? Gateway = null,
    string? IpRange = null,
    bool Internal = false,
    IReadOnlyDictionary<string, string>? Options = null,
    IReadOnlyDictionary<string, string>? Labels = null);

/// <summary>A checked request: every value is valid and free; creating it touches only what it names.</summary>
public sealed record NetworkPlan(
    string Id, string Name, IPv4Subnet Subnet, uint Gateway, IPv4Subnet? Range, string Bridge, bool Internal,
    IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> Labels);

/// <summary>A subnet already in use, and by what (a network, or a route/address of the host).</summary>
public sealed record OccupiedSubnet(IPv4Subnet Subnet, string Holder);

/// <summary>
/// Turns a <see cref="NetworkCreateSpec"/> into a <see cref="NetworkPlan"/> or an error that names the problem and the
/// fix. Pure: everything it needs about the world is passed in, so it is unit-tested without root.
/// </summary>
public static class NetworkPlanner
{
    /// <summary>Docker's option key for the bridge device name; the seed's "-o bridge.name" is accepted too.</summary>
    public const string BridgeNameOption = "com.docker.network.bridge.name";
    private const string SeedBridgeNameOption = "bridge.name";

    /// <summary>The prefix of device names the engine generates ("md-" + 12 hex = 15 bytes).</summary>
    public const string BridgePrefix = "md-";

    /// <summary>The device name the request asks for (-o bridge.name, in Docker's or the seed's spelling), or null.</summary>
    public static string? RequestedBridgeName(IReadOnlyDictionary<string, string>? options) =>
        options is null ? null
        : options.TryGetValue(BridgeNameOption, out var name) || options.TryGetValue(SeedBridgeNameOption, out name) ? name
        : null;

    public static NetworkPlan Plan(
        NetworkCreateSpec spec,
        IReadOnlyCollection<(string Name, string Id, string Bridge)> networks,
        IReadOnlyCollection<OccupiedSubnet> occupied,
        Func<string, bool> deviceExists,
        IReadOnlyList<AddressPool> pools)
    {
        NameRules.ValidateObjectName(spec.Name, "network");
        string name = spec.Name!;
        string driver = string.IsNullOrEmpty(spec.Driver) ? "bridge" : spec.Driver;
        if (driver != "bridge")
            throw EngineException.Invalid($"unknown network driver '{NameRules.Printable(driver)}': only 'bridge' is supported");

        var existing = networks.FirstOrDefault(n => n.Name == name);
        if (existing.Name is not null)
            throw EngineException.Conflict($"network named '{name}' already exists (id {existing.Id[..12]}); choose another name or remove it with 'mydocker network rm {name}'");

        var options = new Dictionary<string, string>(spec.Options ?? new Dictionary<string, string>());
        string? userBridge = null;
        if (options.Remove(SeedBridgeNameOption, out var seedBridge)) options[BridgeNameOption] = seedBridge;
        // Docker accepts unknown driver options silently; an option we would ignore is refused instead, so nobody
        // believes e.g. an MTU or masquerade setting took effect when it did not.
        foreach (var key in options.Keys)
            if (key != BridgeNameOption)
                throw EngineException.Invalid($"driver option '{NameRules.Printable(key)}' is not supported; the bridge driver supports only -o bridge.name=IF ({BridgeNameOption})");
        if (options.TryGetValue(BridgeNameOption, out var requestedBridge))
        {
            NameRules.ValidateInterfaceName(requestedBridge, "-o bridge.name");
            if (networks.Any(n => n.Bridge == requestedBridge) || deviceExists(requestedBridge))
                throw EngineException.Conflict($"device '{requestedBridge}' (-o bridge.name) already exists on this host; MyDocker never adopts an interface it did not create; choose a name that is not in use");
            userBridge = requestedBridge;
        }

        var (subnet, gateway) = ResolveSubnetAndGateway(spec, occupied, pools);
        IPv4Subnet? range = ResolveRange(spec.IpRange, subnet);

        string id = NewId();
        string bridge = userBridge ?? BridgePrefix + id[..12];
        options[BridgeNameOption] = bridge;
        return new NetworkPlan(id, name, subnet, gateway, range, bridge, spec.Internal, options,
            spec.Labels ?? new Dictionary<string, string>());
    }

    private static (IPv4Subnet Subnet, uint Gateway) ResolveSubnetAndGateway(
        NetworkCreateSpec spec, IReadOnlyCollection<OccupiedSubnet> occupied, IReadOnlyList<AddressPool> pools)
    {
        if (string.IsNullOrEmpty(spec.Subnet))
        {
            if (!string.IsNullOrEmpty(spec.Gateway))
                throw EngineException.Invalid("--gateway needs --subnet: give the subnet the gateway belongs to, e.g. --subnet 10.0.0.0/24 --gateway 10.0.0.1");
            if (!string.IsNullOrEmpty(spec.IpRange))
                throw EngineException.Invalid("--ip-range needs --subnet: give the subnet the range belongs to, e.g. --subnet 10.0.0.0/16 --ip-range 10.0.1.0/24");
            var free = PickFreeSubnet(pools, occupied);
            return (free, free.Network + 1);
        }

        if (!IPv4Subnet.TryParseNetwork(spec.Subnet, out var subnet, out var hostAddress, out var error))
            throw EngineException.Invalid(error);

        uint gateway;
        if (!string.IsNullOrEmpty(spec.Gateway))
        {
            if (hostAddress is not null)
                throw EngineException.Invalid($"subnet {spec.Subnet} has host bits set and --gateway is also given; write the subnet as {subnet}");
            if (!IPv4.TryParse(spec.Gateway, out gateway, out var gwError))
                throw EngineException.Invalid($"invalid gateway: {gwError}");
        }
        else
        {
            // The seed's form: --subnet 10.0.0.1/24 means subnet 10.0.0.0/24 with gateway 10.0.0.1.
            gateway = hostAddress ?? subnet.Network + 1;
        }
        string gw = IPv4.ToAddress(gateway).ToString();
        if (!subnet.Contains(gateway))
            throw EngineException.Invalid($"gateway {gw} is outside subnet {subnet}; pick an address inside it, e.g. {IPv4.ToAddress(subnet.Network + 1)}");
        if (gateway == subnet.Network)
            throw EngineException.Invalid($"gateway {gw} is the network address of {subnet}; pick a host address, e.g. {IPv4.ToAddress(subnet.Network + 1)}");
        if (gateway == subnet.Broadcast)
            throw EngineException.Invalid($"gateway {gw} is the broadcast address of {subnet}; pick a host address, e.g. {IPv4.ToAddress(subnet.Network + 1)}");

        if (ReservedBlockOf(subnet) is var (block, what))
            throw EngineException.Invalid($"subnet {subnet} overlaps {block}, {what}; a network there would take addresses the host uses for something else — choose a private subnet (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, RFC 1918), or omit --subnet to get a free one");
        foreach (var o in occupied)
            if (o.Subnet.Overlaps(subnet))
                throw EngineException.Conflict($"subnet {subnet} overlaps {o.Holder}; choose a subnet that does not overlap it, or omit --subnet to get a free one");
        return (subnet, gateway);
    }

    /// <summary>
    /// Blocks of RFC 6890's special-purpose registry that a network must never take: a bridge there, or a container
    /// given one of its addresses, would capture traffic the host means for something else (audit M8: a network on
    /// 169.254.169.252/30 hands its one container 169.254.169.254, and the host's cloud agents ask it for credentials).
    /// </summary>
    public static readonly IReadOnlyList<(IPv4Subnet Block, string What)> ReservedBlocks =
    [
        (IPv4Subnet.Parse("0.0.0.0/8"), "\"this network\" (RFC 1122: 0.0.0.0 means any address to the host)"),
        (IPv4Subnet.Parse("127.0.0.0/8"), "loopback (RFC 1122: the host's own 127.0.0.1 services)"),
        (IPv4Subnet.Parse("169.254.0.0/16"), "link-local (RFC 3927: cloud instance metadata at 169.254.169.254 and link-local services)"),
        (IPv4Subnet.Parse("224.0.0.0/4"), "multicast (RFC 5771)"),
        (IPv4Subnet.Parse("240.0.0.0/4"), "reserved (RFC 1112) and the limited broadcast 255.255.255.255"),
    ];

    private static (IPv4Subnet Block, string What)? ReservedBlockOf(IPv4Subnet subnet) =>
        ReservedBlocks.Where(r => r.Block.Overlaps(subnet)).Select(r => ((IPv4Subnet, string)?)r).FirstOrDefault();

    /// <summary>
    /// The host's IPv4 name servers (the "nameserver" lines of <paramref name="resolvConf"/>, a resolv.conf's text read
    /// from <paramref name="source"/>) as addresses no network may contain: a container given one (--subnet 8.8.8.0/24
    /// with a container on 8.8.8.8, or one publishing -p 8.8.8.8:53:53/udp) would answer the host's own DNS queries.
    /// Loopback name servers (systemd-resolved's 127.0.0.53) are inside 127/8, which <see cref="ReservedBlocks"/> covers.
    /// </summary>
    public static IReadOnlyList<OccupiedSubnet> NameServers(string resolvConf, string source) =>
        resolvConf.Split('\n')
            .Select(l => l.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words is ["nameserver", _, ..])
            .Select(words => IPv4.TryParse(words[1], out uint a, out _) ? a : (uint?)null)
            .OfType<uint>().Distinct()
            .Select(a => new OccupiedSubnet(new IPv4Subnet(a, 32),
                $"the host's name server {IPv4.ToAddress(a)} ({source}), whose DNS queries a container there would answer"))
            .ToList();

    private static IPv4Subnet? ResolveRange(string? text, IPv4Subnet subnet)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (!IPv4Subnet.TryParse(text, out var range, out var host, out var error))
            throw EngineException.Invalid($"invalid ip-range: {error}");
        if (host is not null)
            throw EngineException.Invalid($"ip-range {text} has host bits set; write it as {range}");
        if (!subnet.Contains(range))
            throw EngineException.Invalid($"ip-range {range} is not inside subnet {subnet}; give a range within the subnet");
        return range;
    }

    /// <summary>The first subnet of the pools that overlaps nothing in use.</summary>
    public static IPv4Subnet PickFreeSubnet(IReadOnlyList<AddressPool> pools, IReadOnlyCollection<OccupiedSubnet> occupied)
    {
        foreach (var pool in pools)
        {
            var block = IPv4Subnet.Parse(pool.Base);
            if (pool.Size < block.PrefixLength || pool.Size > IPv4Subnet.MaxNetworkPrefix) continue;
            ulong step = 1UL << (32 - pool.Size);
            for (ulong n = block.Network; n < (ulong)block.Network + block.Size; n += step)
            {
                var candidate = new IPv4Subnet((uint)n, pool.Size);
                if (!occupied.Any(o => o.Subnet.Overlaps(candidate)) && ReservedBlockOf(candidate) is null) return candidate;
            }
        }
        throw EngineException.Conflict($"no free subnet is left in the default address pools ({string.Join(", ", pools.Select(p => $"{p.Base} split into /{p.Size}"))}); pass --subnet, or remove unused networks");
    }

    /// <summary>64 hex digits from a CSPRNG, like Docker's ids.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
