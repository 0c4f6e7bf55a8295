using System.Net;

namespace MyDocker.Engine.Kernel.Conntrack;

/// <summary>
/// The kernel's connection tracking table, as far as published ports need it. A published port is an nftables
/// DNAT (host ip:port → container ip:port); the kernel decides the translation once per connection and keeps it in
/// the conntrack entry, so removing the rule does not move connections that already exist. A UDP client that
/// keeps sending refreshes its entry forever and would never reach a replacement container: the entries of a
/// removed mapping must be deleted.
/// </summary>
/// <remarks>
/// Every call works in the network namespace of the calling thread (the netlink socket is opened on it and closed
/// before returning), so an implementation is stateless and safe to call from several threads at once.
/// </remarks>
public interface IConntrack
{
    /// <summary>
    /// Deletes every IPv4 conntrack entry that one of <paramref name="targets"/> describes: of its protocol ("tcp" or
    /// "udp"), with its host port as ORIGINAL destination port and its container ip:port as REPLY source, i.e. the
    /// connections DNATed to that container port through that host port, whatever the client and whatever host
    /// address it used. One listing of the table serves all the targets. Connections made straight to the container
    /// address (not translated) are left alone.
    /// </summary>
    /// <returns>How many entries were deleted; 0 when nothing matched. An entry that disappears on its own between
    /// the listing and the delete is not counted and is not an error.</returns>
    /// <exception cref="ArgumentException">Unknown protocol, a port outside 1-65535 or a non-IPv4 address.</exception>
    /// <exception cref="KernelException">The kernel refused the listing or a delete.</exception>
    int DeleteNatTo(IReadOnlyCollection<NatTarget> targets);

    /// <summary>
    /// Deletes the entries to one of <paramref name="hostPorts"/> (protocol "tcp"/"udp", port) on one of the host's own
    /// addresses (<paramref name="localAddresses"/>, and 127/8) that were not translated at all: traffic that reached the
    /// host while no mapping existed (the container was stopped). A UDP client that kept sending meanwhile refreshes
    /// such an entry forever, and a new mapping is consulted only for new entries, so it would never reach the
    /// container that publishes the port next. Traffic routed through the host to other machines is left alone.
    /// </summary>
    int DeleteUntranslatedTo(IReadOnlyCollection<(string Protocol, int Port)> hostPorts, IReadOnlyCollection<IPAddress> localAddresses);
}

/// <summary>One published-port mapping as conntrack sees it: <paramref name="Protocol"/> ("tcp"/"udp") traffic to host port
/// <paramref name="HostPort"/> translated to <paramref name="ContainerIp"/>:<paramref name="ContainerPort"/>.</summary>
public readonly record struct NatTarget(string Protocol, int HostPort, IPAddress ContainerIp, int ContainerPort);

/// <summary>
/// One IPv4 conntrack entry: the tuple of the first packet (ORIGINAL) and the tuple replies are expected with
/// (REPLY). For a DNATed connection the REPLY source is the translated destination. Ports are 0 for protocols
/// without ports (ICMP).
/// </summary>
/// <param name="Protocol">"tcp", "udp", "icmp", "sctp", or the IP protocol number as text.</param>
public sealed record ConntrackEntry(
    string Protocol,
    IPEndPoint OriginalSource,
    IPEndPoint OriginalDestination,
    IPEndPoint ReplySource,
    IPEndPoint ReplyDestination)
{
    public override string ToString() =>
        $"{Protocol} {OriginalSource} -> {OriginalDestination} / reply {ReplySource} -> {ReplyDestination}";
}
