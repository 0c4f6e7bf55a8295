using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Sockets for netlink. System.Net.Sockets.Socket refuses AF_NETLINK (EAFNOSUPPORT), so these are called directly.</summary>
internal static partial class Libc
{
    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_ROUTE = 0;
    /// <summary>nfnetlink: conntrack (ctnetlink), nftables, queue and log subsystems.</summary>
    public const int NETLINK_NETFILTER = 12;
    public const int SOL_NETLINK = 270;
    /// <summary>Error acks carry only the request's header, not the whole request.</summary>
    public const int NETLINK_CAP_ACK = 10;
    /// <summary>Error acks carry the kernel's extended message (NLMSGERR_ATTR_MSG), e.g. "Unknown device type".</summary>
    public const int NETLINK_EXT_ACK = 11;
    public const int MSG_PEEK = 0x2, MSG_TRUNC = 0x20;
    public const int EINTR = 4;

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int Bind(SafeFdHandle fd, SockAddrNetlink* address, uint addressLength);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static unsafe partial int SetSockOpt(SafeFdHandle fd, int level, int name, void* value, uint valueLength);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(SafeFdHandle fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Lib, EntryPoint = "recvfrom", SetLastError = true)]
    public static unsafe partial nint RecvFrom(SafeFdHandle fd, byte* buffer, nuint length, int flags,
        SockAddrNetlink* source, uint* sourceLength);
}
