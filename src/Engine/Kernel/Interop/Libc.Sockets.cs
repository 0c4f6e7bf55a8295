using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrIn
    {
        public ushort Family;
        /// <summary>Network byte order.</summary>
        public ushort Port;
        /// <summary>Network byte order (the address bytes as they are).</summary>
        public uint Address;
        public ulong Zero;
    }

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    private static unsafe partial int BindInet(SafeSocketHandle fd, SockAddrIn* address, uint addressLength);

    /// <summary>
    /// bind(2) of an IPv4 socket exactly as asked. .NET's Socket.Bind sets SO_REUSEADDR on every TCP socket first
    /// (measured on .NET 10, with or without ExclusiveAddressUse), which lets another SO_REUSEADDR socket share the port.
    /// Errors come back as <see cref="SocketException"/> with .NET's codes for the two that matter.
    /// </summary>
    public static unsafe void BindExactly(Socket socket, IPAddress address, int port)
    {
        var sa = new SockAddrIn
        {
            Family = (ushort)AddressFamily.InterNetwork,
            Port = (ushort)IPAddress.HostToNetworkOrder((short)port),
            Address = BitConverter.ToUInt32(address.GetAddressBytes()),
        };
        if (BindInet(socket.SafeHandle, &sa, (uint)sizeof(SockAddrIn)) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            98 => new SocketException((int)SocketError.AddressAlreadyInUse),   // EADDRINUSE
            99 => new SocketException((int)SocketError.AddressNotAvailable),   // EADDRNOTAVAIL
            13 => new SocketException((int)SocketError.AccessDenied),          // EACCES
            _ => new SocketException((int)SocketError.SocketError),
        };
    }
}
