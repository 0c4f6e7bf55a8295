using MyDocker.Engine.Kernel;

namespace MyDocker.Engine.Common;

/// <summary>
/// Directories only root may enter: the data root, the exec root and every engine directory under them (audit M5,
/// the CVE-2021-41091 class). Directory.CreateDirectory(path, mode) leaves an existing directory's mode as it is, so a
/// data root made beforehand with mkdir (0755) let every local user reach setuid binaries in unpacked layers, the
/// database and spooled image tarballs. Here an existing directory is tightened too, at every call.
/// <para>0700, not 0711: nothing outside root needs to pass through these directories. Containers never reach them by
/// path: overlayfs checks a lowerdir's path once, with the mounter's (root's) credentials, at mount time; runc enters
/// the rootfs by pivot_root and re-opens its exec.fifo through /proc/self/fd, which checks no directory on the way.
/// Docker needs 0710/0701 only for user-namespace remapping, which MyDocker does not offer.</para>
/// </summary>
public static class PrivateDirectory
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> (and missing parents) or takes the existing one, and makes it 0700. For a
    /// directory given by the user (data root, exec root), <paramref name="requireRootOwner"/> also refuses one that
    /// root does not own: its owner could swap anything inside it, whatever its mode.
    /// </summary>
    /// <returns><paramref name="path"/>.</returns>
    /// <exception cref="InvalidOperationException">The path is not a directory, or (with <paramref name="requireRootOwner"/>)
    /// is owned by someone other than the daemon's user; the message names it and the fix.</exception>
    public static string Ensure(string path, string role, bool requireRootOwner = false)
    {
        Directory.CreateDirectory(path, Mode);
        var stat = PathOwner.Of(path) ?? throw new InvalidOperationException($"the {role} {path} vanished while it was being created");
        if (!stat.IsDirectory) throw new InvalidOperationException($"the {role} {path} is not a directory; move it away or choose another path");
        uint euid = PathOwner.EffectiveUid;
        if (requireRootOwner && stat.Uid != euid)
            throw new InvalidOperationException(
                $"the {role} {path} is owned by uid {stat.Uid}, not by uid {euid} which runs the daemon: its owner could change the engine's " +
                $"state behind its back. Give it to root (chown {euid}:{euid} {path}) or choose another directory");
        if (stat.Permissions != (uint)Mode) File.SetUnixFileMode(path, Mode);
        return path;
    }
}
