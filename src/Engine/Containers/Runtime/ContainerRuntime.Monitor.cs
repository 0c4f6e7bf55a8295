using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>conmon's bookkeeping: its pid file, the exit and oom records, and removal of what nobody owns.</summary>
public sealed partial class ContainerRuntime
{
    private const int SIGKILL = 9;

    private string MonitorDirOf(string id) => Path.Combine(options.MonitorDir, id);
    private string MonitorPidFile(string id) => Path.Combine(MonitorDirOf(id), "conmon.pid");
    private string ExitFile(string id) => Path.Combine(options.ExitDir, id);
    private string OomFile(string id) => Path.Combine(MonitorDirOf(id), "oom");

    /// <summary>The pid of the container's conmon if it is still alive (checked against /proc, so a recycled pid is not taken for it).</summary>
    public int? MonitorPid(string id)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(MonitorPidFile(id)).Trim(), out var pid) || !Libc.ProcessExists(pid)) return null;
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() != "conmon") return null;
            // A monitor that has exited but not been reaped is a zombie: conmon double-forks, so its parent is whatever
            // adopts orphans (init, or a container's pid 1 that never reaps). It is done; waiting for it would never end.
            return IsZombie(pid) ? null : pid;
        }
        catch (IOException) { return null; }
    }

    /// <summary>Whether the process has exited but not been reaped (state Z). Field 3 of /proc/PID/stat; the command in
    /// field 2 may hold spaces and parentheses, so read after the last ')'.</summary>
    private static bool IsZombie(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException) { return false; }
    }

    /// <summary>
    /// The exit record conmon wrote when the container's process ended, or null while it runs (or if it never ran).
    /// conmon writes it with g_file_set_contents (temp file + rename), so a file that exists is complete.
    /// OomKilled comes from the "oom" file conmon writes in its --persist-dir when the memory cgroup's OOM eventfd fires.
    /// </summary>
    public ExitInfo? ReadExit(string id)
    {
        var file = new FileInfo(ExitFile(id));
        try
        {
            if (!file.Exists || !int.TryParse(File.ReadAllText(file.FullName).Trim(), out var code)) return null;
            return new ExitInfo(code, file.LastWriteTimeUtc, File.Exists(OomFile(id)));
        }
        catch (IOException) { return null; }
    }

    /// <summary>Forgets the exit record (before a restart, or on removal). Idempotent.</summary>
    public void ClearExit(string id)
    {
        DeleteFile(ExitFile(id));
        DeleteFile(OomFile(id));
        DeleteFile(Path.Combine(MonitorDirOf(id), "exit"));
    }

    /// <summary>Waits for the container's monitor to exit after its container went away; kills it if it lingers.</summary>
    private async Task WaitForMonitorAsync(string id, CancellationToken ct)
    {
        // conmon exits a few ms after its container; poll finely, give up after 2 s.
        for (var i = 0; i < 1000 && MonitorPid(id) is not null; i++) await Task.Delay(2, ct);
        if (MonitorPid(id) is { } pid)
        {
            logger.LogWarning("Monitor {Pid} of container {Id} did not exit after its container was deleted; killing it", pid, id);
            Libc.SendSignal(pid, SIGKILL);
        }
    }

    /// <summary>Removes every trace of a container: runc state, monitor, exit record, socket, cgroups. Errors are logged.
    /// <paramref name="killCgroup"/>: processes still in its cgroups are killed first (an orphan, whose processes runc
    /// may not know: without this, its cgroups stay busy and the removal waits for nothing).</summary>
    private async Task CleanUpAsync(string id, CancellationToken ct, bool killCgroup = false)
    {
        try
        {
            await RuncAsync(ct, "delete", "--force", id);
            await WaitForMonitorAsync(id, ct);
            if (MonitorPid(id) is { } pid) Libc.SendSignal(pid, SIGKILL);
            ClearExit(id);
            DeleteDirectory(MonitorDirOf(id));
            DeleteDirectory(Path.Combine(options.SocketDir, id));
            if (killCgroup && await CgroupDirs.KillAsync(CgroupPath(id), OrphanKillTimeout, ct) is > 0 and var killed)
                logger.LogWarning("Killed {Count} process(es) left in the cgroups of orphaned container {Id}", killed, id);
            var left = await CgroupDirs.RemoveAsync(CgroupPath(id), ct);
            if (left.Count > 0) logger.LogWarning("Cgroups of container {Id} still busy: {Dirs}", id, left);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Clean-up of container {Id} incomplete; the reconciler will retry", id);
        }
    }

    /// <summary>
    /// For the reconciler: every container id found in runc's state, the monitor and exit directories, the socket
    /// directory or under the cgroup parent for which <paramref name="isLive"/> says no is killed and removed with all
    /// of its traces. Returns the ids removed. <paramref name="isLive"/> is asked at removal time, so a caller running
    /// beside creates can count an id that is being created as live.
    /// <para>Under the cgroup parent only children named like a container id (64 lowercase hex digits, the engine's ids)
    /// count: a parent configured to a shared cgroup (a systemd slice) holds other cgroups, which are never touched.</para>
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveOrphansAsync(Func<string, bool> isLive, CancellationToken ct)
    {
        var found = new HashSet<string>(await ListAsync(ct));
        foreach (var dir in new[] { options.MonitorDir, options.ExitDir, options.SocketDir })
            if (Directory.Exists(dir))
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
                    if (Path.GetFileName(entry) is { } name && !name.Contains('.')) found.Add(name);
        found.UnionWith(CgroupDirs.Children(options.CgroupParent).Where(IsContainerId));
        var removed = new List<string>();
        foreach (var id in found.Order().Where(id => !isLive(id)))
        {
            logger.LogInformation("Removing orphaned container {Id}", id);
            await CleanUpAsync(id, ct, killCgroup: true);
            removed.Add(id);
        }
        return removed;
    }

    /// <summary>How long an orphan's processes may take to die (SIGKILL cannot be caught; only a process stuck in the
    /// kernel outlasts it).</summary>
    private static readonly TimeSpan OrphanKillTimeout = TimeSpan.FromSeconds(5);

    private static bool IsContainerId(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    private static void DeleteFile(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }

    private static void DeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
