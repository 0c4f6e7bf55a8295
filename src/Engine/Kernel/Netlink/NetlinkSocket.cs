using System.Runtime.InteropServices;
using MyDocker.Engine.Kernel.Interop;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>Called for each reply message of a request (not for acks, errors or NLMSG_DONE).</summary>
internal delegate void NetlinkReplyHandler(NetlinkMessage message);

/// <summary>
/// A netlink socket opened with libc and bound to a kernel-assigned port id, plus the request/response loop.
/// One exchange at a time: a lock covers sending a request and reading its replies up to the ack or NLMSG_DONE,
/// so the socket can be shared between threads. The socket stays bound to the network namespace of the thread
/// that opened it.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    // Dumps from the kernel fill datagrams up to the largest buffer a reader has offered, capped at 32 KiB
    // (netlink_recvmsg's max_recvmsg_len); one message can still be larger (a NIC with many VFs), so the
    // buffer grows when a peek reports a bigger datagram and stays grown for the life of the socket.
    private const int InitialReceiveBufferSize = 32 * 1024;

    private readonly SafeFdHandle _fd;
    private readonly Lock _lock = new();
    private byte[] _receiveBuffer = new byte[InitialReceiveBufferSize];
    private uint _sequence;
    private bool _disposed;

    private NetlinkSocket(SafeFdHandle fd) => _fd = fd;

    /// <summary>Opens and binds a netlink socket of <paramref name="protocol"/> (NETLINK_ROUTE, ...) in the calling thread's netns.</summary>
    public static NetlinkSocket Open(int protocol) => new(OpenBound(protocol));

    /// <summary>The socket itself: opened with libc, bound to a kernel-assigned port id (also used by <see cref="NetlinkSubscription"/>).</summary>
    internal static unsafe SafeFdHandle OpenBound(int protocol)
    {
        var handle = Libc.CheckFd(Libc.Socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol), "socket(AF_NETLINK)");
        try
        {
            // Best effort (both exist since Linux 4.12): smaller error acks that carry the kernel's reason as text.
            int on = 1;
            Libc.SetSockOpt(handle, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, &on, sizeof(int));
            Libc.SetSockOpt(handle, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, &on, sizeof(int));

            var address = new Libc.SockAddrNetlink { Family = Libc.AF_NETLINK };
            Libc.Check(Libc.Bind(handle, &address, (uint)sizeof(Libc.SockAddrNetlink)), "bind(AF_NETLINK)");
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>A fresh sequence number for the next request.</summary>
    public uint NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>
    /// Sends a request that carries NLM_F_ACK and reads replies until its ack. <paramref name="onReply"/> sees any
    /// messages before the ack (a get's answer, an NLM_F_ECHO copy).
    /// </summary>
    /// <exception cref="KernelException">The kernel answered with an error; <paramref name="operation"/> and <paramref name="detail"/> name what failed.</exception>
    public void Request(string operation, string? detail, ReadOnlySpan<byte> request, NetlinkReplyHandler? onReply = null) =>
        Exchange(operation, detail, request, onReply, isDump: false);

    /// <summary>
    /// Sends an NLM_F_DUMP request and hands every message of the multi-part answer to <paramref name="onReply"/>
    /// until NLMSG_DONE. Returns false when the kernel flagged the dump NLM_F_DUMP_INTR (the table changed
    /// while it was being dumped; the caller should dump again).
    /// </summary>
    public bool Dump(string operation, ReadOnlySpan<byte> request, NetlinkReplyHandler onReply) =>
        Exchange(operation, null, request, onReply, isDump: true);

    private bool Exchange(string operation, string? detail, ReadOnlySpan<byte> request, NetlinkReplyHandler? onReply, bool isDump)
    {
        uint sequence = NetlinkAttributeReader.ReadUInt32(request[8..]);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Send(request, operation, detail);

            bool consistent = true;
            Exception? handlerFailure = null;
            while (true)
            {
                var reader = new NetlinkMessageReader(Receive(operation));
                while (reader.TryRead(out var message))
                {
                    // Replies to an earlier request that was abandoned (or anything not ours) are skipped.
                    if (message.Sequence != sequence) continue;
                    switch (message.Type)
                    {
                        case NLMSG_NOOP:
                            continue;
                        case NLMSG_ERROR:
                        case NLMSG_DONE:
                            // Terminal: the kernel has nothing more for this request. A handler failure is
                            // reported only now, so that the rest of a dump never stays queued on the socket
                            // (a new dump would get EBUSY while the old one is unfinished).
                            int error = message.Payload.Length >= 4 ? NetlinkAttributeReader.ReadInt32(message.Payload) : 0;
                            if (error < 0) throw Failure(operation, detail, -error, message);
                            if (handlerFailure is not null)
                                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(handlerFailure);
                            return consistent;
                        case NLMSG_OVERRUN:
                            throw KernelException.FromErrno(operation, 105 /* ENOBUFS */, Join(detail, "netlink overrun"));
                        default:
                            if ((message.Flags & NLM_F_DUMP_INTR) != 0) consistent = false;
                            if (onReply is not null && handlerFailure is null)
                            {
                                try { onReply(message); }
                                catch (Exception e) { handlerFailure = e; }
                            }
                            break;
                    }
                }
            }
        }
    }

    private unsafe void Send(ReadOnlySpan<byte> request, string operation, string? detail)
    {
        fixed (byte* p = request)
        {
            while (true)
            {
                nint sent = Libc.Send(_fd, p, (nuint)request.Length, 0);
                if (sent >= 0) return;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR) throw KernelException.FromErrno(operation, errno, Join(detail, "sending the netlink request"));
            }
        }
    }

    /// <summary>Receives the next datagram from the kernel, growing the buffer first if it would not fit.</summary>
    private ReadOnlySpan<byte> Receive(string operation)
    {
        while (true)
        {
            // MSG_PEEK|MSG_TRUNC returns the datagram's real length without consuming it.
            int length = ReceiveOnce(Libc.MSG_PEEK | Libc.MSG_TRUNC, out uint source, operation);
            if (length > _receiveBuffer.Length)
            {
                _receiveBuffer = new byte[NetlinkMessageWriter.Align(length) + 4096];
                continue;
            }
            length = ReceiveOnce(0, out source, operation);
            // Only the kernel (port id 0) answers requests; a datagram unicast by another process is dropped.
            if (source != 0) continue;
            return _receiveBuffer.AsSpan(0, length);
        }
    }

    private int ReceiveOnce(int flags, out uint sourcePortId, string operation)
    {
        int received = Libc.ReceiveNetlink(_fd, _receiveBuffer, flags, out sourcePortId, out int errno);
        return received >= 0 ? received : throw KernelException.FromErrno(operation, errno, "receiving the netlink reply");
    }

    /// <summary>Builds the exception for an NLMSG_ERROR (or a failed NLMSG_DONE), with the extended-ack text if the kernel gave one.</summary>
    private static KernelException Failure(string operation, string? detail, int errno, NetlinkMessage message)
    {
        string? reason = ExtendedAckMessage(message);
        return KernelException.FromErrno(operation, errno, reason is null ? detail : Join(detail, "kernel: " + reason));
    }

    /// <summary>NLMSGERR_ATTR_MSG from the TLVs after struct nlmsgerr (NETLINK_EXT_ACK), or null.</summary>
    internal static string? ExtendedAckMessage(NetlinkMessage message)
    {
        if ((message.Flags & NLM_F_ACK_TLVS) == 0) return null;
        var payload = message.Payload;
        int offset;
        if (message.Type == NLMSG_DONE) offset = 4; // int error, then TLVs
        else
        {
            if (payload.Length < NlMsgErrLength) return null;
            offset = NlMsgErrLength;
            // Without NLM_F_CAPPED the whole original request follows its header.
            if ((message.Flags & NLM_F_CAPPED) == 0)
                offset += NetlinkMessageWriter.Align((int)NetlinkAttributeReader.ReadUInt32(payload[4..]) - NlMsgHdrLength);
        }
        if (offset > payload.Length) return null;
        var attributes = new NetlinkAttributeReader(payload[offset..]);
        while (attributes.TryRead(out ushort type, out var value))
            if (type == NLMSGERR_ATTR_MSG) return NetlinkAttributeReader.GetString(value);
        return null;
    }

    private static string Join(string? detail, string more) => detail is null ? more : $"{detail}; {more}";

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _fd.Dispose();
        }
    }
}
