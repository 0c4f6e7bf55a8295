using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>libc calls the engine makes directly. One partial file per area (Libc.Netlink.cs, ...).</summary>
internal static partial class Libc
{
    private const string Lib = "libc";

    public const int CLONE_NEWNET = 0x40000000;
    public const int O_RDONLY = 0, O_CLOEXEC = 0x80000;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    /// <summary>Throws <see cref="KernelException"/> with the calling thread's errno when <paramref name="result"/> is negative.</summary>
    public static int Check(int result, string operation, string? detail = null) =>
        result < 0 ? throw KernelException.FromErrno(operation, Marshal.GetLastPInvokeError(), detail) : result;

    /// <summary><see cref="Check"/> for a call that returns a new descriptor: the handle owns it from here on.</summary>
    public static SafeFdHandle CheckFd(int result, string operation, string? detail = null) =>
        new(Check(result, operation, detail));
}
