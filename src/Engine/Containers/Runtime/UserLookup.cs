namespace MyDocker.Engine.Containers.Runtime;

/// <summary>The uid, gid and supplementary groups a container's process runs as.</summary>
public sealed record ProcessUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids);

/// <summary>
/// Resolves Docker's `--user` forms ("", "uid", "uid:gid", "name", "name:group", "uid:group", "name:gid") against the
/// rootfs's /etc/passwd and /etc/group, as Docker does (moby/sys/user GetExecUser): a numeric uid that is in passwd
/// takes its primary group from there, otherwise gid 0; supplementary groups come from /etc/group membership.
/// The image's files are read through <see cref="RootfsPath"/>, so a symlinked /etc/passwd cannot point at the host's.
/// </summary>
public static class UserLookup
{
    public static ProcessUser Resolve(string? user, string rootfsPath)
    {
        var spec = string.IsNullOrEmpty(user) ? "0" : user;
        var colon = spec.IndexOf(':');
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? null : spec[(colon + 1)..];
        var passwd = ReadDb(rootfsPath, "/etc/passwd");
        var groups = ReadDb(rootfsPath, "/etc/group");

        string? name = null;
        uint gid = 0;
        string[]? entry;
        if (uint.TryParse(userPart, out var uid))
            entry = passwd.FirstOrDefault(f => f.Length >= 4 && f[2] == userPart);
        else
        {
            entry = passwd.FirstOrDefault(f => f.Length >= 4 && f[0] == userPart)
                ?? throw EngineException.Invalid(
                    $"unable to find user {userPart}: no matching entries in the image's /etc/passwd; give a numeric uid (--user 1000:1000) instead");
            uid = ParseId(entry[2], "/etc/passwd");
        }
        if (entry is not null)
        {
            name = entry[0];
            gid = ParseId(entry[3], "/etc/passwd");
        }

        if (!string.IsNullOrEmpty(groupPart))
        {
            if (!uint.TryParse(groupPart, out gid))
            {
                var g = groups.FirstOrDefault(f => f.Length >= 3 && f[0] == groupPart)
                    ?? throw EngineException.Invalid(
                        $"unable to find group {groupPart}: no matching entries in the image's /etc/group; give a numeric gid instead");
                gid = ParseId(g[2], "/etc/group");
            }
        }

        var additional = new List<uint>();
        if (name is not null)
            foreach (var g in groups)
                if (g.Length >= 4 && g[3].Split(',').Contains(name) && uint.TryParse(g[2], out var sg) && sg != gid && !additional.Contains(sg))
                    additional.Add(sg);
        return new ProcessUser(uid, gid, additional);
    }

    private static uint ParseId(string text, string file) =>
        uint.TryParse(text, out var id) ? id : throw EngineException.Invalid($"the image's {file} has an invalid id '{text}'");

    private static List<string[]> ReadDb(string rootfsPath, string path)
    {
        var file = RootfsPath.Resolve(rootfsPath, path);
        if (file is null || !File.Exists(file)) return [];
        return File.ReadLines(file)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':'))
            .ToList();
    }
}

/// <summary>Resolves a path inside a rootfs, following symlinks as if the rootfs were "/" (never leaving it).</summary>
public static class RootfsPath
{
    private const int MaxSymlinks = 40;

    /// <summary>The host path of <paramref name="path"/> seen from inside <paramref name="rootfs"/>; null on a symlink loop.</summary>
    public static string? Resolve(string rootfs, string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            var host = Path.Combine(rootfs, Path.Combine([.. resolved, part]));
            var info = new FileInfo(host);
            if (info.LinkTarget is { } target)
            {
                if (++hops > MaxSymlinks) return null;
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(t);
                continue;
            }
            resolved.Add(part);
        }
        return Path.Combine(rootfs, Path.Combine([.. resolved]));
    }
}
