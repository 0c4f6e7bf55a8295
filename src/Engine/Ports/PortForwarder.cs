using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Conntrack;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Shared.Ports;

namespace MyDocker.Engine.Ports;

/// <summary>
/// Port forwarding, the one feature: a container's published ports are reserved from `create` to `rm`
/// (<see cref="PortReservations"/>), published into the firewall while it runs and withdrawn when it stops, with the
/// conntrack entries the change would leave pointing the wrong way deleted; after a daemon restart the reservations are
/// restored from the database. The firewall's <see cref="IFirewall.AddPorts"/>/<see cref="IFirewall.RemovePorts"/> are
/// called from here only. Thread-safe (every part is).
/// </summary>
public sealed class PortForwarder(PortReservations reservations, IFirewall firewall, IConntrack conntrack, IRtNetlink netlink, ILogger<PortForwarder> logger)
{
    /// <summary>Chooses and holds host ports for every request, all or nothing (<see cref="PortReservations.Reserve"/>).</summary>
    public IReadOnlyList<PublishedPort> Reserve(string containerId, string containerName, IReadOnlyList<PortRequest> requests) =>
        reservations.Reserve(containerId, containerName, requests);

    /// <summary>Takes back the ports of a container the database already holds (daemon start); returns the problems.</summary>
    public IReadOnlyList<string> Restore(string containerId, string containerName, IReadOnlyList<PublishedPort> ports) =>
        reservations.Restore(containerId, containerName, ports);

    /// <summary>Frees a container's ports. Idempotent.</summary>
    public void Release(string containerId) => reservations.Release(containerId);

    /// <summary>The container's published ports as firewall mappings (none without an address).</summary>
    public static List<PortMapping> MappingsOf(IPAddress? containerIp, IReadOnlyList<PublishedPort> ports) =>
        containerIp is { } ip && ports.Count > 0
            ? ports.Select(p => p.ToMapping(ip)).ToList()
            : [];

    /// <summary>Publishes the container's ports, then forgets connections that reached the host on those ports while no
    /// mapping existed: a new mapping applies to new connections only (see <see cref="IConntrack.DeleteUntranslatedTo"/>).</summary>
    public void Publish(string containerName, IReadOnlyList<PortMapping> mappings)
    {
        if (mappings.Count == 0) return;
        firewall.AddPorts(mappings);
        try
        {
            var locals = netlink.ListAddresses().Select(a => a.Address).Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToList();
            conntrack.DeleteUntranslatedTo(mappings.Select(m => (m.Protocol, m.HostPort)).Distinct().ToList(), locals);
        }
        catch (Exception e) when (e is KernelException or ArgumentException)
        {
            logger.LogWarning("Clearing stale connections to container {Container}'s published ports failed: {Error}", containerName, e.Message);
        }
    }

    /// <summary>Takes the container's ports out of the firewall (it stopped or goes): a connection to them is refused by
    /// the host from now on. Idempotent.</summary>
    public void Withdraw(string containerName, IReadOnlyList<PortMapping> mappings)
    {
        if (mappings.Count == 0) return;
        firewall.RemovePorts(mappings);
        // After the elements: no new connection can be translated to this container any more, and the ones that were
        // keep their translation in conntrack until deleted (a UDP client that keeps sending, forever).
        try
        {
            conntrack.DeleteNatTo(mappings.Select(m => new NatTarget(m.Protocol, m.HostPort, m.ContainerIp, m.ContainerPort)).ToList());
        }
        catch (Exception e) when (e is KernelException or ArgumentException)
        {
            logger.LogWarning("Clearing the connections of container {Container}'s published ports failed: {Error}", containerName, e.Message);
        }
    }
}
