using System.Diagnostics;
using System.Security.Cryptography;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// What a start finds under its cgroup parent that no container record owns: busy cgroups (a process still in them) do
/// not hold the API up, and are killed and removed in the background. And two daemons with different data roots, each
/// with its default cgroup parent, never take each other's containers for orphans.
/// </summary>
public sealed class OrphanStartupTests
{
    /// <summary>A `sleep` moved into PARENT/ID in every cgroup hierarchy, as a container's process would be.</summary>
    private static Process BusyOrphan(string parent, string id)
    {
        var sleep = Process.Start(new ProcessStartInfo("sleep", "1000") { UseShellExecute = false })!;
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup").Where(h => new DirectoryInfo(h).LinkTarget is null))
        {
            string dir = Path.Combine(hierarchy, parent, id);
            Directory.CreateDirectory(dir);
            // A new cpuset cgroup starts with no CPUs and no memory nodes: a process cannot join it until they are set.
            foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
                if (File.Exists(Path.Combine(dir, file)))
                {
                    string all = File.ReadAllText(Path.Combine(hierarchy, file)).Trim();
                    File.WriteAllText(Path.Combine(hierarchy, parent, file), all);
                    File.WriteAllText(Path.Combine(dir, file), all);
                }
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), sleep.Id.ToString());
        }
        return sleep;
    }

    [Fact]
    public void Ten_busy_orphan_cgroups_do_not_hold_the_API_up_and_are_killed_and_removed_in_the_background()
    {
        using var d = new DaemonUnderTest("orph", start: false);
        var ids = Enumerable.Range(0, 10).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))).ToList();
        var sleeps = new List<Process>();
        try
        {
            foreach (var id in ids) sleeps.Add(BusyOrphan(d.CgroupParent, id));
            Assert.All(ids, id => Assert.NotEmpty(Leftovers.CgroupDirs(d.CgroupParent + "/" + id)));

            // /_ping within WaitReady's bound (30 s): removing one busy cgroup used to take ~1 s per hierarchy, serially,
            // before the API answered.
            d.Start();
            d.Eventually(() => sleeps.All(s => s.HasExited), "the orphans' processes are killed");
            d.Eventually(() => ids.All(id => Leftovers.CgroupDirs(d.CgroupParent + "/" + id).Count == 0), "the orphans' cgroups are removed");
            d.Eventually(() => d.LogLinesWith("Orphan clean-up done: 10 removed, 0 errors").Count == 1, "the clean-up reports what it removed");
            Assert.Equal(10, d.LogLinesWith("left in the cgroups of orphaned container").Count);
        }
        finally
        {
            foreach (var s in sleeps)
            {
                if (!s.HasExited) s.Kill();
                s.Dispose();
            }
        }
    }

    [Fact]
    public void Two_daemons_with_different_data_roots_and_default_cgroup_parents_keep_each_others_containers()
    {
        using var a = new DaemonUnderTest("twa", defaultCgroupParent: true).WithBusybox();
        using var b = new DaemonUnderTest("twb", defaultCgroupParent: true).WithBusybox();
        Assert.NotEqual(a.CgroupParent, b.CgroupParent);
        string idA = a.RunDetached("--name", "ka", "busybox", "sleep", "1000");
        string idB = b.RunDetached("--name", "kb", "busybox", "sleep", "1000");

        // Each start reconciles, and removes in the background whatever under its cgroup parent no record of its owns.
        a.Restart();
        b.Restart();
        foreach (var d in new[] { a, b })
            d.Eventually(() => d.LogLinesWith("Orphan clean-up done:").Count == 2, "the clean-up after the restart has run");

        foreach (var (d, name, id) in new[] { (a, "ka", idA), (b, "kb", idB) })
        {
            Assert.True(d.StateOf(name) == "running", $"{name} is {d.StateOf(name)} after the restarts:\n{a.Logs}\n---\n{b.Logs}");
            int pid = d.InspectContainer(name).GetProperty("State").GetProperty("Pid").GetInt32();
            Assert.Contains($"/{d.CgroupParent}/{id}", File.ReadAllText($"/proc/{pid}/cgroup"));
        }
        Assert.Empty(a.LogLinesWith("Removing orphaned container"));
        Assert.Empty(b.LogLinesWith("Removing orphaned container"));
        a.CliOk("rm", "-f", "ka");
        b.CliOk("rm", "-f", "kb");
    }
}
