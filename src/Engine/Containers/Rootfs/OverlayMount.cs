using System.Runtime.InteropServices;
using System.Text;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Rootfs;

/// <summary>
/// A container's root filesystem: an overlayfs of the image's layers (read-only, shared) under the container's own
/// upper and work directories, mounted in the daemon's mount namespace. Stateless and thread-safe; the kernel's mount
/// table (/proc/self/mountinfo) is the only state, so the reconciler finds mounts again after a restart.
/// </summary>
public static class OverlayMount
{
    /// <summary>
    /// Mounts an overlay of <paramref name="lowerDirsTopFirst"/> (the image's top layer first, as overlayfs lists them)
    /// with <paramref name="upperDir"/> and <paramref name="workDir"/> (same filesystem, both empty or both left from an
    /// earlier mount of this container) on <paramref name="target"/>. All paths absolute.
    /// </summary>
    /// <exception cref="EngineException">InvalidArgument: no layer, a relative path, a path with ':', ',' or '\', or
    /// too many layers for the option string mount(2) accepts.</exception>
    /// <exception cref="KernelException">mount(2) failed (a missing directory, an upper dir on a filesystem overlayfs
    /// cannot use as upper, ...).</exception>
    public static void Mount(IReadOnlyList<string> lowerDirsTopFirst, string upperDir, string workDir, string target)
    {
        string options = Options(lowerDirsTopFirst, upperDir, workDir, target);
        Libc.Check(Libc.Mount("overlay", target, "overlay", 0, options), "mount overlay", $"on {target}");
    }

    /// <summary>The mount(2) data string, checked. Public for tests and for error messages that show what was tried.</summary>
    public static string Options(IReadOnlyList<string> lowerDirsTopFirst, string upperDir, string workDir, string target)
    {
        ArgumentNullException.ThrowIfNull(lowerDirsTopFirst);
        // overlayfs refuses a mount without lowerdir ("missing 'lowerdir'"); an image always has a layer, so zero means
        // a broken image record rather than something to work around (an empty lower dir would do).
        if (lowerDirsTopFirst.Count == 0)
            throw EngineException.Invalid($"cannot mount the root filesystem on {target}: the image has no layers");
        foreach (var (what, path) in lowerDirsTopFirst.Select(l => ("layer directory", l))
                     .Append(("upper directory", upperDir)).Append(("work directory", workDir)).Append(("mount point", target)))
        {
            if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
                throw EngineException.Invalid($"overlay {what} '{path}' is not an absolute path");
            // ',' separates options and ':' lower layers; overlayfs unescapes '\' but refusing is simpler than escaping
            // (the engine chooses these paths; only a data-root containing them could hit this).
            if (path.IndexOfAny([':', ',', '\\', '\n']) >= 0)
                throw EngineException.Invalid($"overlay {what} '{path}' contains ':', ',', '\\' or a newline, which overlay mount options cannot carry; choose a data root without them");
        }
        string options = $"lowerdir={string.Join(':', lowerDirsTopFirst)},upperdir={upperDir},workdir={workDir}";
        // mount(2) copies at most one page of data (copy_mount_options), NUL included; beyond it the options are cut.
        int bytes = Encoding.UTF8.GetByteCount(options) + 1;
        if (bytes > Environment.SystemPageSize)
            throw EngineException.Invalid(
                $"cannot mount the root filesystem on {target}: the {lowerDirsTopFirst.Count} layers make {bytes} bytes of overlay options and mount(2) takes at most {Environment.SystemPageSize}; use an image with fewer layers");
        return options;
    }

    /// <summary>Unmounts <paramref name="target"/> lazily (MNT_DETACH: a process still using it keeps its view until it
    /// lets go). Idempotent: not mounted, or no such path, is success. A stacked mount needs one call per layer.</summary>
    public static void Unmount(string target)
    {
        if (Libc.Umount2(target, Libc.MNT_DETACH) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Libc.EINVAL or Libc.ENOENT) return; // not a mount point / no such path
        throw KernelException.FromErrno("unmount", errno, target);
    }

    /// <summary>Whether something is mounted exactly on <paramref name="target"/> (per /proc/self/mountinfo).</summary>
    public static bool IsMounted(string target)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        return MountPoints().Contains(full);
    }

    /// <summary>Mount points equal to <paramref name="prefix"/> or below it, in mount order (unmount them in reverse).</summary>
    public static IReadOnlyList<string> MountedUnder(string prefix)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
        string below = full == "/" ? "/" : full + "/";
        return MountPoints().Where(m => m == full || m.StartsWith(below, StringComparison.Ordinal)).Distinct().ToList();
    }

    /// <summary>Field 5 of each line of /proc/self/mountinfo (proc(5)), with the kernel's octal escapes decoded.</summary>
    private static List<string> MountPoints()
    {
        var points = new List<string>();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /root /mount/point rw,noatime master:1 - ext3 /dev/root rw": fields are separated by single
            // spaces and a space inside a path is written \040, so a plain split is exact.
            var fields = line.Split(' ', 6);
            if (fields.Length >= 5) points.Add(Unescape(fields[4]));
        }
        return points;
    }

    /// <summary>Decodes mangle()'s escapes of space, tab, newline and backslash (\040, \011, \012, \134).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var bytes = new List<byte>(field.Length);
        byte[] raw = Encoding.UTF8.GetBytes(field);
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else bytes.Add(raw[i]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';
}
