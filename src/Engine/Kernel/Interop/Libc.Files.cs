using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>
/// File-system calls the layer extractor needs and .NET does not offer without following symlinks: lchown, utimensat
/// with AT_SYMLINK_NOFOLLOW, mknod (devices, overlayfs whiteouts), link, symlink and lsetxattr.
/// </summary>
internal static partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000;

    /// <summary>struct timespec on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(Lib, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int uid, int gid);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int UtimensAt(int dirfd, string path, TimeSpec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkNod(string path, uint mode, ulong dev);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    [LibraryImport(Lib, EntryPoint = "symlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Symlink(string target, string linkPath);

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static unsafe partial nint LGetXattr(string path, string name, byte* value, nuint size);

    /// <summary>glibc's makedev (sys/sysmacros.h): the 64-bit dev_t layout of major and minor numbers.</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    /// <summary>Sets mtime and atime of <paramref name="path"/> itself (a symlink's own times, never its target's).</summary>
    public static unsafe void SetTimesNoFollow(string path, DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var ts = new TimeSpec { Seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem), Nanoseconds = rem * 100 };
        if (ts.Nanoseconds < 0) { ts.Seconds -= 1; ts.Nanoseconds += 1_000_000_000; }
        TimeSpec* times = stackalloc TimeSpec[2];
        times[0] = ts;
        times[1] = ts;
        Check(UtimensAt(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    /// <summary>Sets an extended attribute on <paramref name="path"/> itself (lsetxattr: a symlink is not followed).</summary>
    public static unsafe void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            Check(LSetXattr(path, name, p, (nuint)value.Length, 0), "lsetxattr", $"{name} on {path}");
    }

    /// <summary>Reads an extended attribute as text, or null when it is not set.</summary>
    public static unsafe string? GetXattr(string path, string name)
    {
        byte* buffer = stackalloc byte[256];
        nint n = LGetXattr(path, name, buffer, 256);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)n);
    }
}
