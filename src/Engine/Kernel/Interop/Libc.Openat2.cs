using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>
/// Opening files inside a container's rootfs without ever leaving it: openat2(2) with RESOLVE_IN_ROOT resolves every
/// component, symlinks included, as if the rootfs were "/" (kernel 5.6+), and statx/read work on the descriptor so
/// nothing is looked up by path twice.
/// </summary>
internal static partial class Libc
{
    public const int O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_NOCTTY = 0x100;
    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    public const int ENOSYS = 38;
    /// <summary>openat2 is 437 on every architecture (it came after the syscall tables were unified).</summary>
    private const long SYS_openat2 = 437;
    public const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    /// <summary>struct open_how (linux/openat2.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long SyscallOpenat2(long number, int dirfd, string path, OpenHow* how, nuint size);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    /// <summary>openat2(2); returns the fd, or -errno (so the caller can tell "absent" from "refused").</summary>
    public static unsafe int Openat2(int dirfd, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        while (true)
        {
            long fd = SyscallOpenat2(SYS_openat2, dirfd, path, &how, (nuint)sizeof(OpenHow));
            if (fd >= 0) return (int)fd;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return -errno;
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length; returns the bytes read (0 at end of file).</summary>
    public static unsafe int ReadSome(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
            while (true)
            {
                nint n = Read(fd, p, (nuint)buffer.Length);
                if (n >= 0) return (int)n;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR) throw KernelException.FromErrno("read", errno, $"fd {fd}");
            }
    }
}
