using System.Net;
using System.Net.Sockets;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Ports;
using MyDocker.Engine.Networks;

namespace MyDocker.Web.Dashboard.Topology;

/// <summary>The real topology seam: NetworkService and ContainerService, and probes from the daemon's own network stack
/// (its netns), which is where published ports are programmed.</summary>
public sealed class EngineDashboardTopology(NetworkService networks, ContainerService containers) : IDashboardTopology
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public async Task<TopologyView> ReadAsync(CancellationToken ct = default)
    {
        var nets = await networks.ListAsync(ct);
        var byNetwork = (await containers.ListAsync(all: true, ct)).SelectMany(c => c.Container.Endpoints.Select(e => (e.NetworkId, View: c)))
            .ToLookup(x => x.NetworkId, x => x.View);
        return new TopologyView(Dns.GetHostName(), nets.OrderBy(n => n.Network.Name, StringComparer.Ordinal).Select(n => new TopologyNetwork
        {
            Id = n.Network.Id, Name = n.Network.Name, Subnet = n.Network.Subnet.ToString(), Gateway = n.Network.Gateway.ToString(),
            Bridge = n.Network.Bridge, Internal = n.Network.Internal,
            Containers = byNetwork[n.Network.Id].OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => new TopologyContainer
            {
                Id = c.Id, Name = c.Name, State = ContainerStatusText.StateWord(c.Container.Phase), Ip = c.Container.EndpointOn(n.Network.Id)?.Ip?.ToString(), Ports = c.Spec.Ports,
            }).ToList(),
        }).ToList());
    }

    public async Task<PortProbe> ProbeAsync(PublishedPort port, CancellationToken ct = default)
    {
        if (port.Protocol != "tcp") return new PortProbe(false, $"{port.Protocol.ToUpperInvariant()} is not probed: it has no handshake to wait for");
        var address = port.OnEveryAddress ? IPAddress.Loopback : IPAddress.Parse(port.HostIp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port.HostPort), timeout.Token);
            return new PortProbe(true, $"{address}:{port.HostPort} accepted a connection");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new PortProbe(false, $"no answer from {address}:{port.HostPort} within {ProbeTimeout.TotalSeconds:0} s");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new PortProbe(false, $"{address}:{port.HostPort} refused the connection: nothing listens on port {port.ContainerPort} in the container, or it is not running");
        }
        catch (SocketException e)
        {
            return new PortProbe(false, $"{address}:{port.HostPort}: {e.Message}");
        }
    }
}
