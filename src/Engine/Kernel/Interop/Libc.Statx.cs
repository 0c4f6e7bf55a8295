using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

internal static partial class Libc
{
    private const int ENOTDIR = 20;
    private const uint STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_UID = 0x8, STATX_GID = 0x10, STATX_SIZE = 0x200;
    private const int AT_EMPTY_PATH = 0x1000;

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>Owner, group and st_mode (type and permission bits) of a path.</summary>
    public readonly record struct FileOwner(uint Uid, uint Gid, uint Mode)
    {
        public uint Permissions => Mode & 0xfff;
        public bool IsDirectory => (Mode & 0xf000) == 0x4000;
    }

    /// <summary>
    /// statx(2) of <paramref name="path"/> (following a final symlink unless <paramref name="noFollow"/>), or null when
    /// nothing is there. statx is used rather than stat because struct statx has one layout on every architecture:
    /// stx_uid at byte 20, stx_gid at 24, stx_mode (u16) at 28 (include/uapi/linux/stat.h); the struct is 256 bytes.
    /// </summary>
    public static unsafe FileOwner? StatOwner(string path, bool noFollow = false)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(AT_FDCWD, path, noFollow ? AT_SYMLINK_NOFOLLOW : 0, STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID, buffer) == 0)
            return new FileOwner(*(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28));
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ENOENT or ENOTDIR) return null;
        throw KernelException.FromErrno("statx", errno, path);
    }

    /// <summary>The file type bits (S_IFMT) and size of what <paramref name="fd"/> refers to (an O_PATH fd will do).</summary>
    public static unsafe (uint Type, long Size) FileTypeAndSize(int fd)
    {
        // struct statx is 256 bytes on every architecture: stx_mode (u16) at offset 28, stx_size (u64) at offset 40.
        byte* buffer = stackalloc byte[256];
        Check(Statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MODE | STATX_SIZE, buffer), "statx", $"fd {fd}");
        return (*(ushort*)(buffer + 28) & S_IFMT, *(long*)(buffer + 40));
    }
}
