namespace MyDocker.Engine.Common;

/// <summary>Host paths as the kernel sees them.</summary>
public static class HostPaths
{
    /// <summary>
    /// The absolute path with every symlink along it followed, as realpath(3) gives it; the part that does not exist is
    /// kept as written. Only for comparing places (a warning), never for opening: the answer can be stale at once.
    /// </summary>
    public static string Resolve(string path) => Resolve(path, 40);

    // 40: Linux's limit on symlinks followed in one lookup (MAXSYMLINKS, path_resolution(7)).
    private static string Resolve(string path, int linksLeft)
    {
        string result = "/";
        foreach (var part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Join(result, part);
            if (linksLeft > 0 && new FileInfo(next).LinkTarget is { } target)
                next = Resolve(Path.IsPathRooted(target) ? target : Path.Join(result, target), linksLeft - 1);
            result = next;
        }
        return result;
    }
}
