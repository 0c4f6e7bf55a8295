using System.Net;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Engine.Networks;

/// <summary>Where a network is in its life. Operations record intent first, change the kernel, then mark themselves done
/// (DESIGN.md §4.4), so the reconciler knows after a crash whether to finish or roll back.</summary>
public enum NetworkPhase
{
    /// <summary>Recorded, kernel objects possibly half-made. After a crash: rolled back.</summary>
    Creating = 0,
    /// <summary>Fully set up. After a crash: kernel state re-created if missing.</summary>
    Ready = 1,
    /// <summary>Teardown started. After a crash: teardown finished.</summary>
    Removing = 2,
}

/// <summary>A bridge network: what the engine knows of it, typed. Immutable; stored and read back by
/// <see cref="State.NetworkStore"/>, the only place that sees its database form.</summary>
/// <param name="Id">64 lowercase hex digits, like Docker's ids.</param>
/// <param name="Driver">Docker's driver name; always "bridge" today.</param>
/// <param name="Subnet">Host bits clear.</param>
/// <param name="Gateway">The bridge's own address, inside <paramref name="Subnet"/>.</param>
/// <param name="IpRange">The part of the subnet containers get addresses from (--ip-range); null: the whole subnet.</param>
/// <param name="Bridge">The Linux bridge device: "md-" + 12 hex of the id unless the user named it with -o bridge.name;
/// a valid interface name (<see cref="Kernel.Netlink.InterfaceName"/>).</param>
/// <param name="Internal">--internal: no forwarding in or out of the bridge, no masquerade.</param>
/// <param name="Options">Driver options as given (Docker's Options map).</param>
public sealed record Network(
    string Id, string Name, string Driver, IPv4Subnet Subnet, IPAddress Gateway, IPv4Subnet? IpRange, string Bridge,
    bool Internal, NetworkPhase Phase, DateTimeOffset Created,
    IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> Labels);
