using System.Text;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Reads a small text file of a container's rootfs (/etc/passwd, /etc/group) the way the daemon, a host process, must
/// read a file the image or the running container controls:
/// <list type="bullet">
/// <item>the path is resolved by the kernel inside the rootfs (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
/// RESOLVE_NO_XDEV), so no symlink, "..", /proc magic link or swapped directory leads to a host file;</item>
/// <item>it is opened O_PATH first, which opens nothing: a FIFO would block a read open, and a device node's open
/// has side effects (a watchdog starts ticking), so the type is checked with statx before a real open;</item>
/// <item>the real open goes through /proc/self/fd/N, i.e. the inode just checked (not the path again), with
/// O_NONBLOCK | O_NOCTTY;</item>
/// <item>at most <see cref="MaxBytes"/> are read and no line may exceed <see cref="MaxLineBytes"/> (a sparse 2 GB file
/// or an endless line is refused, not loaded).</item>
/// </list>
/// libpathrs and runc's "reopen through procfs" use the same O_PATH-then-reopen pattern.
/// </summary>
public static class RootfsFile
{
    public const int MaxBytes = 1 << 20;
    /// <summary>moby/sys/user parses with a bufio.Scanner, whose longest line is 64 KiB.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const ulong Resolve = Libc.RESOLVE_IN_ROOT | Libc.RESOLVE_NO_MAGICLINKS | Libc.RESOLVE_NO_XDEV;

    /// <summary>
    /// The lines of <paramref name="path"/> (absolute, as seen inside the container), or null when it does not exist.
    /// </summary>
    /// <param name="rootfs">The rootfs directory on the host (the engine's own path, trusted).</param>
    /// <param name="source">Who controls the file, for messages: "image 'app'" or "container 'web'".</param>
    /// <exception cref="EngineException">InvalidArgument: the file is not a regular file, is too large, has a line too
    /// long, or cannot be resolved inside the rootfs (a symlink loop).</exception>
    public static IReadOnlyList<string>? ReadLines(string rootfs, string path, string source)
    {
        int rootFd = Libc.Open(rootfs, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        // No rootfs (yet): no file in it either, as for a spec written before the rootfs is mounted.
        if (rootFd < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == KernelException.ENOENT) return null;
        using var root = Libc.CheckFd(rootFd, "open", rootfs);
        using var located = OpenInRoot(root.Fd, path, source);
        if (located is null) return null;
        CheckRegular(located.Fd, path, source);
        using var file = Libc.CheckFd(
            Libc.Open($"/proc/self/fd/{located.Fd}", Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC), "open", $"{path} of {source}");
        CheckRegular(file.Fd, path, source);
        return Split(ReadCapped(file.Fd, path, source), path, source);
    }

    /// <summary>An O_PATH descriptor of the file, or null when it (or a directory on its way) does not exist.</summary>
    private static SafeFdHandle? OpenInRoot(int rootFd, string path, string source)
    {
        // EAGAIN: a rename or mount inside the root raced the lookup (openat2(2)); the kernel asks for a retry.
        for (int attempt = 0; ; attempt++)
        {
            int fd = Libc.Openat2(rootFd, path.TrimStart('/'), Libc.O_PATH | Libc.O_CLOEXEC, Resolve);
            if (fd >= 0) return new SafeFdHandle(fd);
            int errno = -fd;
            if (errno == KernelException.ENOENT || errno == ENOTDIR) return null;
            if (errno == Libc.EAGAIN && attempt < 10) continue;
            if (errno == Libc.ENOSYS)
                throw new EngineException(ErrorKind.Internal,
                    $"cannot read {path} of {source} safely: this kernel has no openat2 (Linux 5.6 or later is needed)");
            throw EngineException.Invalid(errno switch
            {
                ELOOP => $"{path} of {source} cannot be resolved: its symlinks loop or point through /proc; make it a regular file",
                EXDEV => $"{path} of {source} cannot be resolved: it leads out of the container's file system; make it a regular file",
                _ => $"{path} of {source} cannot be opened: {KernelException.FromErrno("openat2", errno).Message}",
            });
        }
    }

    private const int ENOTDIR = 20, ELOOP = 40, EXDEV = 18;

    private static void CheckRegular(int fd, string path, string source)
    {
        var (type, size) = Libc.FileTypeAndSize(fd);
        if (type != Libc.S_IFREG)
            throw EngineException.Invalid(
                $"{path} of {source} is {Describe(type)}, not a regular file; the daemon reads only regular files there (replace it with one)");
        if (size > MaxBytes)
            throw EngineException.Invalid(
                $"{path} of {source} is {size} bytes; the daemon reads at most {MaxBytes / 1024 / 1024} MiB of it (shorten the file)");
    }

    private static string Describe(uint type) => type switch
    {
        Libc.S_IFIFO => "a FIFO",
        Libc.S_IFCHR => "a character device",
        Libc.S_IFBLK => "a block device",
        Libc.S_IFDIR => "a directory",
        Libc.S_IFSOCK => "a socket",
        Libc.S_IFLNK => "a symlink",
        _ => $"of type 0{Convert.ToString(type >> 12, 8)}",
    };

    /// <summary>At most <see cref="MaxBytes"/>: a file that grew after the size check is refused, not read on.</summary>
    private static byte[] ReadCapped(int fd, string path, string source)
    {
        var buffer = new byte[MaxBytes + 1];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Libc.ReadSome(fd, buffer.AsSpan(total));
            if (n == 0) break;
            total += n;
        }
        if (total > MaxBytes)
            throw EngineException.Invalid($"{path} of {source} is larger than {MaxBytes / 1024 / 1024} MiB; the daemon reads at most that (shorten the file)");
        return buffer[..total];
    }

    private static List<string> Split(byte[] bytes, string path, string source)
    {
        var lines = new List<string>();
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            if (end - start > MaxLineBytes)
                throw EngineException.Invalid(
                    $"line {lines.Count + 1} of {path} of {source} is longer than {MaxLineBytes / 1024} KiB; the daemon does not read such lines (fix the file)");
            lines.Add(Encoding.UTF8.GetString(bytes, start, end - start));
            start = end + 1;
        }
        return lines;
    }
}
