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
    /// socket, not the port, is what keeps two resolvers from being started on purpose.
    /// </summary>
    public static Socket Bind(IPAddress address, int port, SocketType type)
    {
        var socket = new Socket(AddressFamily.InterNetwork, type, type == SocketType.Dgram ? ProtocolType.Udp : ProtocolType.Tcp);
        try
        {
            socket.SetRawSocketOption(SolIp, IpFreeBind, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(new IPEndPoint(address, port));
            if (type == SocketType.Stream) socket.Listen(64);
            return socket;
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
