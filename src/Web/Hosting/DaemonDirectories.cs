using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel;

namespace MyDocker.Web.Hosting;

/// <summary>
/// The daemon's own directories and its API socket, made private at every start (audit M5 and L6).
/// <list type="bullet">
/// <item>Data root and exec root: root-owned and 0700 even when they existed before (a data root made with mkdir is
/// 0755); owned by another user, the daemon refuses to start. See <see cref="PrivateDirectory"/> for why 0700.</item>
/// <item>The socket's directory is the exec root by default. A different one may be shared (Docker's socket sits in
/// /run), so it is not chmod-ed: it must be root-owned and writable by root only, otherwise someone else could put
/// their own socket in our socket's place.</item>
/// <item>The socket never exists at its path with loose permissions: Kestrel binds it inside a fresh 0700 root-owned
/// staging directory next to it, and once it is chmod-ed 0600 it is renamed into place (rename keeps the bound inode;
/// connect(2) finds it by its new name). Before, it was bound at its final path with the process umask and chmod-ed
/// only at ApplicationStarted, and anyone connecting in between was root. A process-wide umask(077) around the bind
/// would also tighten whatever other start-up threads create meanwhile, such as files a container's user must read.</item>
/// </list>
/// </summary>
public static class DaemonDirectories
{
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const uint GroupOtherWrite = 0b000_010_010;

    /// <summary>Creates or tightens the data root, exec root and socket directory.</summary>
    /// <exception cref="InvalidOperationException">One of them cannot be made private; the message names it and the fix.</exception>
    public static void Secure(EngineOptions options, string socketPath)
    {
        try { SecureDirectories(options, socketPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Engine.Kernel.KernelException)
        {
            throw new InvalidOperationException($"cannot make the daemon's directories private: {e.Message}", e);
        }
    }

    private static void SecureDirectories(EngineOptions options, string socketPath)
    {
        PrivateDirectory.Ensure(options.DataRoot, "data root", requireRootOwner: true);
        PrivateDirectory.Ensure(options.ExecRoot, "exec root", requireRootOwner: true);
        string socketDir = SocketDir(socketPath);
        if (SamePath(socketDir, options.DataRoot) || SamePath(socketDir, options.ExecRoot)) return;
        if (!Directory.Exists(socketDir))
        {
            PrivateDirectory.Ensure(socketDir, "socket directory", requireRootOwner: true);
            return;
        }
        var stat = PathOwner.Of(socketDir) ?? throw new InvalidOperationException($"the socket directory {socketDir} vanished");
        uint euid = PathOwner.EffectiveUid;
        if (stat.Uid != euid || (stat.Permissions & GroupOtherWrite) != 0)
            throw new InvalidOperationException(
                $"the socket directory {socketDir} is {(stat.Uid != euid ? $"owned by uid {stat.Uid}" : $"writable by other users (mode {Convert.ToString(stat.Permissions, 8)})")}: " +
                "someone else could replace the API socket there. Put the socket in a directory only root can write (-H unix:///run/mydocker/mydocker.sock)");
    }

    /// <summary>
    /// Clears what a dead daemon left at the socket path (the caller holds the data root's lock) and makes the private
    /// staging directory. Returns the path Kestrel is to bind; <see cref="PublishSocket"/> moves the socket into place.
    /// </summary>
    public static string PrepareSocket(string socketPath)
    {
        if (File.Exists(socketPath)) File.Delete(socketPath);
        string staging = StagingDir(socketPath);
        if (PathOwner.Of(staging, noFollow: true) is { } left)
        {
            if (left.IsDirectory) Directory.Delete(staging, recursive: true);
            else File.Delete(staging);
        }
        PrivateDirectory.Ensure(staging, "socket staging directory", requireRootOwner: true);
        return Path.Combine(staging, Path.GetFileName(socketPath));
    }

    /// <summary>Makes the bound socket 0600, then renames it to <paramref name="socketPath"/>: it appears there private.</summary>
    public static void PublishSocket(string boundPath, string socketPath)
    {
        File.SetUnixFileMode(boundPath, SocketMode);
        File.Move(boundPath, socketPath, overwrite: true);
        Directory.Delete(StagingDir(socketPath));
    }

    private static string SocketDir(string socketPath) => Path.GetDirectoryName(Path.GetFullPath(socketPath))!;

    // Short (a unix socket path has at most 107 bytes) and named after the socket, so two daemons whose sockets
    // share a directory never touch each other's.
    private static string StagingDir(string socketPath) => Path.Combine(SocketDir(socketPath), "." + Path.GetFileName(socketPath) + ".new");

    private static bool SamePath(string a, string b) => Path.GetFullPath(a).TrimEnd('/') == Path.GetFullPath(b).TrimEnd('/');
}
