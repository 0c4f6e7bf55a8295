using System.Runtime.InteropServices;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Kernel.Namespaces;

/// <summary>
/// Named network namespaces the engine owns, each kept alive by a bind mount of its nsfs inode onto a file in one
/// directory (the daemon uses &lt;exec-root&gt;/netns), the way `ip netns add` does under /run/netns. Such a file can be
/// handed to runc ("path" of the network namespace), to nsenter --net=PATH, or opened for IFLA_NET_NS_FD / setns.
/// The mounts live in the daemon's mount namespace. Thread-safe: every method works on one name at a time and the
/// kernel arbitrates races (a second Create of the same name fails with a Conflict); Remove is idempotent.
/// </summary>
public sealed class NetnsStore
{
    private readonly string _directory;

    /// <param name="directory">Created on first use; should be on a local filesystem the daemon alone writes to.</param>
    public NetnsStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = Path.GetFullPath(directory);
    }

    public string Directory => _directory;

    /// <summary>The file of namespace <paramref name="name"/> (whether or not it exists).</summary>
    public string PathOf(string name)
    {
        Validate(name);
        return Path.Combine(_directory, name);
    }

    /// <summary>
    /// Creates a new, empty network namespace (only a down `lo` in it; interfaces created in it later have IPv6 off) and
    /// pins it at <see cref="PathOf"/>; returns that path. A leftover plain file of that name (from a crash between the
    /// two steps) is reused.
    /// </summary>
    /// <exception cref="EngineException">Conflict: a namespace of that name is already mounted.</exception>
    /// <exception cref="KernelException">unshare or mount failed; nothing is left behind.</exception>
    public string Create(string name)
    {
        string path = PathOf(name);
        System.IO.Directory.CreateDirectory(_directory, Common.PrivateDirectory.Mode);
        if (IsNsfs(path))
            throw EngineException.Conflict($"network namespace {path} already exists; remove it first (or run 'mydocker system reconcile' if nothing uses it)");
        // The mount point must exist; O_EXCL is not used because a leftover empty file is fine to reuse.
        using (File.Open(path, FileMode.OpenOrCreate, FileAccess.Write)) { }
        try
        {
            RunOnThrowawayThread(() =>
            {
                // unshare(CLONE_NEWNET) moves only the calling thread into the new namespace, which therefore must
                // never run anything else afterwards: the thread is private and ends right after the mount (see
                // NetnsThread). The mount namespace is shared by all threads, so the bind mount is visible to all.
                Libc.Check(Libc.Unshare(Libc.CLONE_NEWNET), "unshare(CLONE_NEWNET)", name);
                // Before any interface exists in it: the engine's networks are IPv4 only, so the container's eth0 is born
                // without IPv6 and cannot take a router advertisement from another container (audit H3).
                Sysctl.DisableIPv6ForNewDevicesHere();
                string self = $"/proc/self/task/{Libc.GetTid()}/ns/net";
                Libc.Check(Libc.Mount(self, path, null, Libc.MS_BIND, null), "bind-mount network namespace", $"{self} onto {path}");
            });
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        return path;
    }

    /// <summary>
    /// Unpins namespace <paramref name="name"/> (lazy unmount: a process still inside it, or an open fd, keeps it
    /// alive until it lets go) and deletes the file. Idempotent: a missing mount or file is success.
    /// </summary>
    public void Remove(string name)
    {
        string path = PathOf(name);
        // Unmount while it is nsfs: a bind mount stacked twice (a crash between a retry's mount and its record) takes two.
        for (int i = 0; i < 8 && IsNsfs(path); i++)
        {
            if (Libc.Umount2(path, Libc.MNT_DETACH) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EINVAL or Libc.ENOENT) break; // not a mount point / gone meanwhile
                throw KernelException.FromErrno("unmount network namespace", errno, path);
            }
        }
        if (IsNsfs(path))
            throw KernelException.FromErrno("unmount network namespace", KernelException.EBUSY, $"{path} is still mounted");
        TryDelete(path);
    }

    /// <summary>True when <paramref name="name"/> is a mounted namespace (an nsfs inode), not merely a file.</summary>
    public bool Exists(string name) => IsNsfs(PathOf(name));

    /// <summary>
    /// The names of every entry in the directory with a valid name, mounted or not (a plain file is the leftover of a
    /// crash: <see cref="Remove"/> cleans it up). Use <see cref="Exists"/> to tell them apart.
    /// </summary>
    public IReadOnlyList<string> List()
    {
        if (!System.IO.Directory.Exists(_directory)) return [];
        return System.IO.Directory.EnumerateFileSystemEntries(_directory)
            .Select(Path.GetFileName)
            .Where(n => n is not null && Problem(n) is null)
            .Select(n => n!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Null when <paramref name="name"/> is usable as a namespace name (1 to 64 letters, digits or '-'; not starting with '-').</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
            return $"network namespace name '{name}' must be 1 to 64 characters long";
        if (name[0] == '-' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            return $"network namespace name '{name}' may contain only letters, digits and '-' (not first)";
        return null;
    }

    private static void Validate(string name)
    {
        if (Problem(name) is { } problem) throw EngineException.Invalid(char.ToUpperInvariant(problem[0]) + problem[1..]);
    }

    private static bool IsNsfs(string path) => Libc.FileSystemType(path) == Libc.NSFS_MAGIC;

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }

    private static void RunOnThrowawayThread(Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { work(); }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true, Name = "netns create" };
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
