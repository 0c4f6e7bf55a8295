using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// cgroup directories by relative path ("mydocker/ID") in every mounted hierarchy. On this host cgroups are v1 in
/// hybrid mode (FACTS.md): one mount per controller plus name=systemd and the cgroup2 "unified" mount. runc deletes a
/// container's own directories on `delete` but leaves the parent, and a failed create can leave them all.
/// </summary>
public static class CgroupDirs
{
    public const string Root = "/sys/fs/cgroup";

    /// <summary>True on a pure cgroup v2 host, which has the controllers' files right at the root of
    /// <paramref name="root"/>; false on a v1 or hybrid one (this host, FACTS.md).</summary>
    public static bool IsUnifiedOnly(string root = Root) => File.Exists(Path.Combine(root, "cgroup.controllers"));

    /// <summary>Every hierarchy's mount point. Combined-controller symlinks (cpu -> cpu,cpuacct) are skipped.</summary>
    public static IEnumerable<string> Hierarchies()
    {
        if (!Directory.Exists(Root)) yield break;
        if (IsUnifiedOnly()) { yield return Root; yield break; }
        foreach (var dir in Directory.EnumerateDirectories(Root))
            if (new DirectoryInfo(dir).LinkTarget is null) yield return dir;
    }

    /// <summary>The directories that exist for this relative path.</summary>
    public static IReadOnlyList<string> Existing(string relative) =>
        Hierarchies().Select(h => Path.Combine(h, relative)).Where(Directory.Exists).ToList();

    /// <summary>Names of the child cgroups of <paramref name="parent"/> in any hierarchy.</summary>
    public static IReadOnlySet<string> Children(string parent) =>
        Existing(parent).SelectMany(Directory.EnumerateDirectories).Select(Path.GetFileName).OfType<string>().ToHashSet();

    /// <summary>
    /// Kills every process in the cgroup and its child cgroups, in every hierarchy, and returns once none is left (a
    /// process may fork while it is being killed, so this repeats) or <paramref name="timeout"/> has passed. Where the
    /// kernel offers it (cgroup v2 since Linux 5.14) cgroup.kill signals the whole cgroup at once, with no pid to race
    /// with; pids read from cgroup.procs get SIGKILL for the rest (v1 hierarchies). Returns how many processes were
    /// found in it.
    /// </summary>
    public static async Task<int> KillAsync(string relative, TimeSpan timeout, CancellationToken ct = default)
    {
        var dirs = Existing(relative);
        var seen = Pids(dirs);
        foreach (var dir in dirs)
        {
            try { if (File.Exists(Path.Combine(dir, "cgroup.kill"))) await File.WriteAllTextAsync(Path.Combine(dir, "cgroup.kill"), "1", ct); }
            catch (IOException) { /* gone meanwhile, or an older kernel: the pids below */ }
        }
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var pids = Pids(dirs);
            if (pids.Count == 0 || DateTime.UtcNow > deadline) return seen.Count;
            seen.UnionWith(pids);
            foreach (int pid in pids) Libc.SendSignal(pid, 9 /* SIGKILL */);
            await Task.Delay(10, ct);
        }
    }

    /// <summary>The pids listed in cgroup.procs of these cgroups and of their child cgroups.</summary>
    private static HashSet<int> Pids(IEnumerable<string> dirs)
    {
        var pids = new HashSet<int>();
        foreach (var dir in dirs)
        {
            try
            {
                foreach (var procs in Directory.EnumerateFiles(dir, "cgroup.procs", SearchOption.AllDirectories))
                    foreach (var line in File.ReadLines(procs))
                        if (int.TryParse(line, out int pid) && pid > 0) pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* removed meanwhile */ }
        }
        return pids;
    }

    /// <summary>
    /// Removes the directory (and any child cgroups, deepest first) in every hierarchy. A cgroup can be removed only
    /// once its last process has gone, which lags the process's death by a moment: EBUSY is retried briefly.
    /// "Already gone" is success. Returns the directories that could not be removed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveAsync(string relative, CancellationToken ct = default)
    {
        var left = new List<string>();
        foreach (var dir in Existing(relative))
        {
            var all = Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories)
                .OrderByDescending(d => d.Length).Append(dir);
            foreach (var d in all)
            {
                for (var attempt = 0; ; attempt++)
                {
                    try { Directory.Delete(d, recursive: false); break; }
                    catch (DirectoryNotFoundException) { break; }
                    catch (IOException) when (attempt < 50) { await Task.Delay(20, ct); }
                    catch (IOException) { left.Add(d); break; }
                }
            }
        }
        return left;
    }
}
