using System.Runtime.InteropServices;

namespace MyDocker.Resolver.Interop;

/// <summary>The few libc calls .NET has no API for. (No reference to the engine's interop: this binary stays small.)</summary>
internal static partial class Libc
{
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, ENOENT = 2, ENOTDIR = 20;
    private const uint STATX_TYPE = 0x1, S_IFMT = 0xF000, S_IFSOCK = 0xC000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Whether <paramref name="path"/> (not followed) is a unix socket; null when nothing is there.
    /// .NET's FileInfo reports a socket as "Normal", like an empty file. struct statx has one layout on every
    /// architecture: stx_mode (u16) at byte 28 of 256 (include/uapi/linux/stat.h).</summary>
    public static unsafe bool? IsSocket(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, buffer) == 0) return (*(ushort*)(buffer + 28) & S_IFMT) == S_IFSOCK;
        var errno = Marshal.GetLastPInvokeError();
        if (errno is ENOENT or ENOTDIR) return null;
        throw new IOException($"statx {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
