namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// Removes what containers of a daemon under test can leave on the host when a test fails half-way: their processes
/// (runc state, conmon monitors and the name resolver survive the daemon by design), mounts under the test's root (the daemon shares the
/// host's mount namespace: it is started with nsenter --net only), and the test's own cgroup parent.
/// </summary>
public static class Leftovers
{
    public static void RemoveContainers(string root, string runcRoot, string cgroupParent)
    {
        if (Directory.Exists(runcRoot))
        {
            var (_, ids, _) = Command.TryRun("runc", ["--root", runcRoot, "list", "-q"]);
            foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Command.TryRun("runc", ["--root", runcRoot, "delete", "--force", id]);
        }
        // Monitors of this root only: their command lines name the test's bundle directories.
        Command.TryRun("pkill", ["-KILL", "-f", "conmon .*" + root]);
        // The name resolver outlives its daemon by design, as the monitors do; its command line names the exec root.
        Command.TryRun("pkill", ["-KILL", "-f", "mydocker-resolver .*" + root]);
        foreach (var mount in MountsUnder(root).OrderByDescending(m => m.Length))
            Command.TryRun("umount", ["-l", mount]);
        RemoveCgroups(cgroupParent);
    }

    /// <summary>Mount points under <paramref name="root"/>, from /proc/self/mountinfo (field 5, octal-escaped).</summary>
    public static List<string> MountsUnder(string root) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => Unescape(l.Split(' ')[4]))
            .Where(m => m == root || m.StartsWith(root + "/", StringComparison.Ordinal))
            .ToList();

    /// <summary>Every hierarchy's /sys/fs/cgroup/*/PARENT tree, deepest first (rmdir of a cgroup needs it empty of
    /// children and processes).</summary>
    public static void RemoveCgroups(string parent)
    {
        foreach (var hierarchy in CgroupDirs(parent))
            foreach (var dir in Directory.GetDirectories(hierarchy, "*", SearchOption.AllDirectories).Append(hierarchy)
                         .OrderByDescending(d => d.Length))
                try { Directory.Delete(dir); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static List<string> CgroupDirs(string parent) =>
        Directory.GetDirectories("/sys/fs/cgroup").Select(h => Path.Combine(h, parent)).Where(Directory.Exists).ToList();

    private static string Unescape(string s) => System.Text.RegularExpressions.Regex.Replace(
        s, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
