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
    public const int MSG_PEEK = 0x2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
    public const int EINTR = 4, EAGAIN = 11;
    /// <summary>A netlink socket's receive queue overflowed: notifications were dropped (netlink(7)).</summary>
    public const int ENOBUFS = 105;
    /// <summary>setsockopt(SOL_NETLINK): join a multicast group by number (no 32-group limit, unlike bind's nl_groups).</summary>
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33;

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

    /// <summary>One recvfrom on a netlink socket, retried on EINTR: the datagram's length and its sender's port id, or
    /// -1 and the errno.</summary>
    public static unsafe int ReceiveNetlink(SafeFdHandle fd, byte[] buffer, int flags, out uint sourcePortId, out int errno)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                SockAddrNetlink source = default;
                uint sourceLength = (uint)sizeof(SockAddrNetlink);
                nint received = RecvFrom(fd, p, (nuint)buffer.Length, flags, &source, &sourceLength);
                if (received >= 0)
                {
                    (sourcePortId, errno) = (source.PortId, 0);
                    return (int)received;
                }
                errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR) continue;
                sourcePortId = 0;
                return -1;
            }
        }
    }
}
