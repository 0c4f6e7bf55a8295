using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>
/// Which file a path or an open handle is (device and inode), to notice a file replaced under its name: conmon's
/// --log-size-max renames a fresh log over the old one, and a reader holding the old handle would read a deleted file.
/// .NET exposes no inode.
/// </summary>
internal static partial class Libc
{
    /// <summary>Device and inode of a file.</summary>
    public readonly record struct FileId(ulong Device, ulong Inode);

    // struct stat is 144 bytes on x86_64 and 128 on arm64; both begin with st_dev then st_ino, 8 bytes each
    // (arch/x86/include/uapi/asm/stat.h, include/uapi/asm-generic/stat.h). glibc ≥ 2.33 exports stat and fstat.
    private const int StatBufferSize = 256;

    [LibraryImport(Lib, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* buffer);

    [LibraryImport(Lib, EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(SafeFileHandle fd, byte* buffer);

    /// <summary>The file <paramref name="path"/> names now, or null when it names none (or cannot be looked at).</summary>
    public static unsafe FileId? IdOf(string path)
    {
        byte* buffer = stackalloc byte[StatBufferSize];
        return Stat(path, buffer) == 0 ? new FileId(*(ulong*)buffer, *(ulong*)(buffer + 8)) : null;
    }

    /// <summary>The file an open handle refers to, or null if fstat fails.</summary>
    public static unsafe FileId? IdOf(SafeFileHandle handle)
    {
        byte* buffer = stackalloc byte[StatBufferSize];
        return FStat(handle, buffer) == 0 ? new FileId(*(ulong*)buffer, *(ulong*)(buffer + 8)) : null;
    }
}
