using System.Net;
using System.Net.Sockets;

namespace MyDocker.Resolver.Serving;

/// <summary>The UDP and TCP sockets on the listen address.</summary>
public static class ListenSockets
{
    private const int SolIp = 0, IpFreeBind = 15, SolSocket = 1, SoReusePort = 15;

    /// <summary>
    /// IP_FREEBIND (ip(7)): the address may be bound before it exists (the engine adds 169.254.53.53 to the host's lo
    /// after a reboot, in any order with this process). SO_REUSEPORT (socket(7)): a new resolver binds beside an old one,
    /// so an upgrade has no moment without a socket (spike: 19,999/20,000 queries answered across one); the control
    /// socket, not the port, is what keeps two resolvers from being started on purpose. SO_REUSEADDR: a host DNS server
    /// bound to 0.0.0.0:53 blocks a bind to 169.254.53.53:53 unless both sockets set it (socket(7); measured: a wildcard
    /// UDP and TCP :53 listener without it makes the resolver exit with EADDRINUSE); dnsmasq and unbound set it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bind failed; the message names the address and the likely holder.</exception>
    public static Socket Bind(IPAddress address, int port, SocketType type)
    {
        var protocol = type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp;
        var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.SetRawSocketOption(SolIp, IpFreeBind, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            if (type == SocketType.Stream) socket.Listen(64);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var hint = e.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? $"; another program holds {protocol.ToString().ToLowerInvariant()} port {port} on this address or on 0.0.0.0 (ss -lnp 'sport = {port}' shows it)"
                : "";
            throw new InvalidOperationException($"cannot bind {address}:{port}/{protocol.ToString().ToLowerInvariant()}: {e.Message}{hint}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The IPv4 address of a sockaddr_in (family 2 bytes, port 2, address 4 in network order), host byte order.</summary>
    public static uint SourceOf(SocketAddress address)
    {
        var b = address.Buffer.Span;
        return (uint)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]);
    }
}
