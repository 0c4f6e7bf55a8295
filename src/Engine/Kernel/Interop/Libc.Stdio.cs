using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Calls for a container's stdio: conmon's attach socket and control fifo.</summary>
internal static partial class Libc
{
    public const int O_WRONLY = 1, O_NONBLOCK = 0x800, O_PATH = 0x200000;

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    /// <summary>An O_PATH descriptor of <paramref name="path"/> (any length; a socket can be connected through
    /// /proc/self/fd/N, which sun_path's 108 bytes can hold).</summary>
    public static int OpenPath(string path) => Check(Open(path, O_PATH | O_CLOEXEC), "open", path);

    /// <summary>Opens a fifo for writing without waiting for a reader; -1 when there is none (ENXIO).</summary>
    public static int OpenWriteNonBlocking(string path) => Open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

    /// <summary>Writes all of <paramref name="bytes"/>; false on an error.</summary>
    public static unsafe bool WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            int done = 0;
            while (done < bytes.Length)
            {
                nint n = Write(fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0) return false;
                done += (int)n;
            }
        }
        return true;
    }
}
