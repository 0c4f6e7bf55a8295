using System.Runtime.InteropServices;

namespace MyDocker.Cli.Terminal;

/// <summary>
/// The CLI's own terminal for `run -t`: raw mode while attached (every key, Ctrl-C included, goes to the container's
/// pty, which does the echo and line editing), and its size. termios is handled as an opaque buffer filled by
/// tcgetattr and changed by cfmakeraw, so no struct layout is assumed (glibc's is 60 bytes on x86-64).
/// </summary>
internal static partial class RawTerminal
{
    private const int StdinFd = 0, StdoutFd = 1, TCSANOW = 0, TIOCGWINSZ = 0x5413;

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWinSize(int fd, nuint request, [Out] ushort[] winsize);

    public static bool StdinIsTerminal => IsATty(StdinFd) == 1;

    /// <summary>Puts stdin in raw mode; disposing restores what it was. Null when stdin is not a terminal.</summary>
    public static IDisposable? EnterRaw()
    {
        var saved = new byte[128];
        if (!StdinIsTerminal || TcGetAttr(StdinFd, saved) != 0) return null;
        var raw = (byte[])saved.Clone();
        CfMakeRaw(raw);
        if (TcSetAttr(StdinFd, TCSANOW, raw) != 0) return null;
        return new Restore(saved);
    }

    /// <summary>Rows and columns of the terminal on stdout (or stdin); null when neither is one.</summary>
    public static (int Rows, int Columns)? Size()
    {
        var ws = new ushort[4];
        foreach (int fd in new[] { StdoutFd, StdinFd })
            if (IoctlWinSize(fd, TIOCGWINSZ, ws) == 0 && ws[0] > 0 && ws[1] > 0) return (ws[0], ws[1]);
        return null;
    }

    private sealed class Restore(byte[] saved) : IDisposable
    {
        public void Dispose() => TcSetAttr(StdinFd, TCSANOW, saved);
    }
}
