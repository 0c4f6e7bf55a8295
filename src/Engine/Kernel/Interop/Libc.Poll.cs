using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Waiting on file descriptors: poll(2), and an eventfd(2) to wake a waiter from another thread.</summary>
internal static partial class Libc
{
    public const short POLLIN = 0x1;
    private const short POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDHUP = 0x2000;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint ReadFd(SafeFdHandle fd, void* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint WriteFd(SafeFdHandle fd, void* buffer, nuint count);

    /// <summary>
    /// Whether the peer of a unix stream socket has closed it, as opposed to only shutting down its sending side: the
    /// kernel reports POLLHUP only when both directions are shut (net/unix/af_unix.c, unix_poll: sk_shutdown ==
    /// SHUTDOWN_MASK, set on the peer's close), while a half-close gives POLLRDHUP alone. A closed socket counts as gone.
    /// </summary>
    public static unsafe bool PeerClosed(SafeSocketHandle socket)
    {
        bool added = false;
        try
        {
            socket.DangerousAddRef(ref added);
            var fd = new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = POLLRDHUP };
            return Poll(&fd, 1, 0) > 0 && (fd.Revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
        }
        catch (ObjectDisposedException) { return true; }
        finally { if (added) socket.DangerousRelease(); }
    }
}
