using System.Net.Sockets;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Kernel;

/// <summary>The other end of a connected unix stream socket, as the kernel sees it.</summary>
public static class UnixSocketPeer
{
    /// <summary>
    /// Whether the peer has closed the connection, as opposed to only shutting down its sending side (a half-close,
    /// which the docker CLI does at once when it has no stdin to send). Does not block; a disposed socket counts as
    /// closed. See <c>Libc.PeerClosed</c> for the kernel's rule (POLLHUP only when both directions are shut).
    /// </summary>
    public static bool HasClosed(SafeSocketHandle socket) => Libc.PeerClosed(socket);
}
