namespace MyDocker.Engine.Containers.Runtime;

/// <summary>The uid, gid and supplementary groups a container's process runs as.</summary>
public sealed record ProcessUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids);

/// <summary>
/// Resolves Docker's `--user` forms ("", "uid", "uid:gid", "name", "name:group", "uid:group", "name:gid") against the
/// rootfs's /etc/passwd and /etc/group, as Docker does (moby/sys/user GetExecUser): a numeric uid that is in passwd
/// takes its primary group from there, otherwise gid 0; supplementary groups come from /etc/group membership.
/// The files belong to the image or the running container, so they are read through <see cref="RootfsFile"/>: resolved
/// inside the rootfs, regular files only, size and line length capped.
/// </summary>
public static class UserLookup
{
    /// <param name="source">Who controls the files, for messages: "image 'app'" or "container 'web'".</param>
    public static ProcessUser Resolve(string? user, string rootfsPath, string source = "the image")
    {
        var spec = string.IsNullOrEmpty(user) ? "0" : user;
        var colon = spec.IndexOf(':');
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? null : spec[(colon + 1)..];
        var passwd = ReadDb(rootfsPath, "/etc/passwd", source);
        var groups = ReadDb(rootfsPath, "/etc/group", source);

        string? name = null;
        uint gid = 0;
        string[]? entry;
        if (uint.TryParse(userPart, out var uid))
            entry = passwd.FirstOrDefault(f => f.Length >= 4 && f[2] == userPart);
        else
        {
            entry = passwd.FirstOrDefault(f => f.Length >= 4 && f[0] == userPart)
                ?? throw EngineException.Invalid(
                    $"unable to find user {userPart}: no matching entries in /etc/passwd of {source}; give a numeric uid (--user 1000:1000) instead");
            uid = ParseId(entry[2], "/etc/passwd", source);
        }
        if (entry is not null)
        {
            name = entry[0];
            gid = ParseId(entry[3], "/etc/passwd", source);
        }

        if (!string.IsNullOrEmpty(groupPart))
        {
            if (!uint.TryParse(groupPart, out gid))
            {
                var g = groups.FirstOrDefault(f => f.Length >= 3 && f[0] == groupPart)
                    ?? throw EngineException.Invalid(
                        $"unable to find group {groupPart}: no matching entries in /etc/group of {source}; give a numeric gid instead");
                gid = ParseId(g[2], "/etc/group", source);
            }
        }

        var additional = new List<uint>();
        if (name is not null)
            foreach (var g in groups)
                if (g.Length >= 4 && g[3].Split(',').Contains(name) && uint.TryParse(g[2], out var sg) && sg != gid && !additional.Contains(sg))
                    additional.Add(sg);
        return new ProcessUser(uid, gid, additional);
    }

    private static uint ParseId(string text, string file, string source) =>
        uint.TryParse(text, out var id) ? id : throw EngineException.Invalid($"{file} of {source} has an invalid id '{text}'");

    private static List<string[]> ReadDb(string rootfsPath, string path, string source) =>
        (RootfsFile.ReadLines(rootfsPath, path, source) ?? [])
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':'))
            .ToList();
}
