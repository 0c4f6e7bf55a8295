using System.Runtime.InteropServices;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// A netlink socket joined to multicast groups: the kernel's change notifications (nftables transactions, routes,
/// addresses) of the network namespace of the thread that opened it. Nothing is read unless asked: <see cref="Drain"/>
/// takes what is queued without waiting, <see cref="Wait"/> sleeps in poll(2) until something is queued.
/// <para>Lost notifications: when the receive queue overflows, the kernel drops what does not fit and the next
/// recvmsg fails once with ENOBUFS (netlink(7), "ENOBUFS"); <see cref="Drain"/> reports that, so the caller can read the
/// whole state again instead of trusting a stream with a hole in it.</para>
/// <para>Thread-safe: one lock covers reading; <see cref="Wake"/> may be called from any thread.</para>
/// </summary>
internal sealed class NetlinkSubscription : IDisposable
{
    private readonly SafeFdHandle _fd;
    private readonly SafeFdHandle _wake;
    private readonly Lock _lock = new();
    private byte[] _buffer = new byte[64 * 1024];

    private NetlinkSubscription(SafeFdHandle fd, SafeFdHandle wake) => (_fd, _wake) = (fd, wake);

    /// <summary>Opens a socket of <paramref name="protocol"/>, sets its receive queue to <paramref name="receiveBufferBytes"/>
    /// (SO_RCVBUFFORCE as root, so net.core.rmem_max does not cap it) and joins <paramref name="groups"/>.</summary>
    public static unsafe NetlinkSubscription Open(int protocol, IReadOnlyList<int> groups, int receiveBufferBytes)
    {
        var fd = NetlinkSocket.OpenBound(protocol);
        SafeFdHandle? wake = null;
        try
        {
            int size = receiveBufferBytes;
            if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, &size, sizeof(int)) != 0)
                Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, &size, sizeof(int));
            foreach (int group in groups)
            {
                int g = group;
                Libc.Check(Libc.SetSockOpt(fd, Libc.SOL_NETLINK, Libc.NETLINK_ADD_MEMBERSHIP, &g, sizeof(int)),
                    "setsockopt(NETLINK_ADD_MEMBERSHIP)", $"protocol {protocol}, group {group}");
            }
            wake = Libc.CheckFd(Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK), "eventfd");
            return new NetlinkSubscription(fd, wake);
        }
        catch
        {
            fd.Dispose();
            wake?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Hands every message of every datagram queued now to <paramref name="onMessage"/>, without waiting. Returns false
    /// when the kernel dropped notifications since the last read (the queue overflowed: ENOBUFS), true otherwise.
    /// Datagrams not sent by the kernel (port id 0) are skipped.
    /// </summary>
    public bool Drain(NetlinkReplyHandler onMessage)
    {
        lock (_lock)
        {
            bool complete = true;
            while (true)
            {
                // MSG_PEEK|MSG_TRUNC returns the datagram's real length without consuming it.
                int length = Receive(Libc.MSG_PEEK | Libc.MSG_TRUNC | Libc.MSG_DONTWAIT, out _, out int errno);
                if (length < 0)
                {
                    if (errno == Libc.EAGAIN) return complete;
                    if (errno == Libc.ENOBUFS) { complete = false; continue; }
                    throw KernelException.FromErrno("receive netlink notifications", errno);
                }
                if (length > _buffer.Length) _buffer = new byte[NetlinkMessageWriter.Align(length) + 4096];
                length = Receive(Libc.MSG_DONTWAIT, out uint source, out errno);
                if (length < 0)
                {
                    if (errno == Libc.ENOBUFS) { complete = false; continue; }
                    if (errno == Libc.EAGAIN) return complete;
                    throw KernelException.FromErrno("receive netlink notifications", errno);
                }
                if (source != 0) continue;
                var reader = new NetlinkMessageReader(_buffer.AsSpan(0, length));
                while (reader.TryRead(out var message)) onMessage(message);
            }
        }
    }

    /// <summary>Sleeps until a datagram is queued (true), or <see cref="Wake"/> is called or <paramref name="timeout"/>
    /// passes (false). <see cref="Timeout.InfiniteTimeSpan"/> waits without a limit.</summary>
    public unsafe bool Wait(TimeSpan timeout)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 0, int.MaxValue);
        bool fdRef = false, wakeRef = false;
        try
        {
            // Held, so a Dispose from another thread cannot close (and recycle) either fd number under poll.
            _fd.DangerousAddRef(ref fdRef);
            _wake.DangerousAddRef(ref wakeRef);
            var fds = stackalloc Libc.PollFd[2];
            fds[0] = new Libc.PollFd { Fd = _fd.Fd, Events = Libc.POLLIN };
            fds[1] = new Libc.PollFd { Fd = _wake.Fd, Events = Libc.POLLIN };
            int ready;
            while ((ready = Libc.Poll(fds, 2, ms)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR) throw KernelException.FromErrno("poll(netlink notifications)", errno);
            }
            if ((fds[1].Revents & Libc.POLLIN) != 0)
            {
                ulong count;
                Libc.ReadFd(_wake, &count, sizeof(ulong));
                return false;
            }
            // POLLERR too (an overflowed queue): Drain then reports it.
            return ready > 0 && fds[0].Revents != 0;
        }
        finally
        {
            if (wakeRef) _wake.DangerousRelease();
            if (fdRef) _fd.DangerousRelease();
        }
    }

    /// <summary>Ends a <see cref="Wait"/> in progress (or the next one) at once.</summary>
    public unsafe void Wake()
    {
        ulong one = 1;
        Libc.WriteFd(_wake, &one, sizeof(ulong));
    }

    private int Receive(int flags, out uint sourcePortId, out int errno) =>
        Libc.ReceiveNetlink(_fd, _buffer, flags, out sourcePortId, out errno);

    public void Dispose()
    {
        _fd.Dispose();
        _wake.Dispose();
    }
}
