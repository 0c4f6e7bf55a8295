using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Mounts, namespaces and filesystem identity: what named netns files and overlay root filesystems need.</summary>
internal static partial class Libc
{
    // linux/mount.h (MS_*) and sys/mount.h (MNT_*).
    public const ulong MS_BIND = 0x1000;
    /// <summary>umount2: detach now, finish when the last user lets go (a netns file someone still holds open, a busy overlay).</summary>
    public const int MNT_DETACH = 2;

    // linux/magic.h: statfs f_type values.
    public const long NSFS_MAGIC = 0x6e736673;
    public const long OVERLAYFS_SUPER_MAGIC = 0x794c7630;

    public const int EINVAL = 22, ENOENT = 2;

    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? filesystemType, ulong flags, string? data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport(Lib, EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatFs(string path, byte* buffer);

    /// <summary>
    /// f_type of the filesystem <paramref name="path"/> is on (statfs(2)), or null when the path does not exist.
    /// struct statfs is 120 bytes on 64-bit Linux and starts with f_type as a long (__fsword_t); only that field is read.
    /// </summary>
    public static unsafe long? FileSystemType(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (StatFs(path, buffer) == 0) return *(long*)buffer;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is ENOENT) return null;
        throw KernelException.FromErrno("statfs", errno, path);
    }
}
