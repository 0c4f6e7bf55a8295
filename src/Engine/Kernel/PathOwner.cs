using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Kernel;

/// <summary>
/// Who owns a path and who may write to it, for the daemon's checks of directories it takes but does not create
/// (the API socket's directory, a staging directory left by a dead daemon). One statx(2) call; see
/// <c>Libc.StatOwner</c> for the layout.
/// </summary>
/// <param name="Uid">The owner's uid.</param>
/// <param name="Permissions">The permission bits of st_mode (0o7777).</param>
/// <param name="IsDirectory">Whether the path is a directory (not following a final symlink when asked not to).</param>
public readonly record struct PathOwner(uint Uid, uint Permissions, bool IsDirectory)
{
    /// <summary>The owner of <paramref name="path"/>, following a final symlink unless <paramref name="noFollow"/>;
    /// null when nothing is there.</summary>
    /// <exception cref="KernelException">statx failed for another reason than a missing path.</exception>
    public static PathOwner? Of(string path, bool noFollow = false) =>
        Libc.StatOwner(path, noFollow) is { } s ? new PathOwner(s.Uid, s.Permissions, s.IsDirectory) : null;

    /// <summary>The effective uid of this process (geteuid(2)): the owner a private directory must have.</summary>
    public static uint EffectiveUid => Libc.GetEuid();
}
