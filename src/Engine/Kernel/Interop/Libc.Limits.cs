using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Resource limits of this process (the ceiling of what a container it starts can be given).</summary>
internal static partial class Libc
{
    public const int RLIMIT_NOFILE = 7;

    /// <summary>struct rlimit on 64-bit Linux (rlim_t is unsigned long; RLIM_INFINITY is all ones).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    public static RLimit GetLimit(int resource)
    {
        Check(GetRLimit(resource, out var limit), "getrlimit", resource.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return limit;
    }
}
