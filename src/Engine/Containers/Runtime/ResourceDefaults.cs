using System.Globalization;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// What a container gets that it would otherwise inherit from the daemon through conmon and runc: its open-file limit
/// and its OOM-killer priority. The daemon's own OOM priority is set here too, once at start-up.
/// </summary>
public static class ResourceDefaults
{
    /// <summary>
    /// Docker ≥ 25's RLIMIT_NOFILE for containers (1024 soft, for select(2)-era programs; 524288 hard for those that
    /// raise their own): .NET raises the daemon's soft limit to its hard one, which every child would inherit.
    /// </summary>
    public const ulong NofileSoft = 1024, NofileHard = 524288;

    /// <summary>Docker's packaged dockerd runs with OOMScoreAdjust=-500 (its systemd unit).</summary>
    public const int DaemonOomScoreTarget = -500;

    /// <summary>How much more likely than the daemon a container is to be picked by the OOM killer: Docker's containers
    /// get 0 next to its -500 daemon.</summary>
    public const int ContainerOomScoreOffset = 500;

    private const string OomScoreAdjFile = "/proc/self/oom_score_adj";

    /// <summary>
    /// The container's RLIMIT_NOFILE (soft, hard): Docker's, lowered to <paramref name="daemonHard"/> where that is
    /// lower, since a process without CAP_SYS_RESOURCE (root on this host, FACTS.md) cannot raise a hard limit and runc
    /// would fail the start.
    /// </summary>
    public static (ulong Soft, ulong Hard) Nofile(ulong daemonHard)
    {
        ulong hard = Math.Min(NofileHard, daemonHard);
        return (Math.Min(NofileSoft, hard), hard);
    }

    /// <summary>This process's hard RLIMIT_NOFILE.</summary>
    public static ulong DaemonNofileHard() => Libc.GetLimit(Libc.RLIMIT_NOFILE).Hard;

    /// <summary>
    /// A container's oom_score_adj: <see cref="ContainerOomScoreOffset"/> above the daemon's, within the kernel's
    /// range. Docker's 0 when the daemon has its -500; where the daemon could not lower its own (no CAP_SYS_RESOURCE:
    /// the kernel refuses a value below the process's oom_score_adj_min, which starts at 0), containers go above it
    /// instead, so the OOM killer still takes a container before the daemon. runc can always raise the score it
    /// inherits, never lower it without that capability.
    /// </summary>
    public static int ContainerOomScoreAdj(int daemonScoreAdj) => Math.Clamp(daemonScoreAdj + ContainerOomScoreOffset, 0, 1000);

    /// <summary>This process's oom_score_adj.</summary>
    public static int CurrentOomScoreAdj() => int.Parse(File.ReadAllText(OomScoreAdjFile).Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Lowers the daemon's OOM priority to <see cref="DaemonOomScoreTarget"/> so that, when a container without a memory
    /// limit drives the host out of memory, the kernel kills a container before the engine that manages it. Without
    /// CAP_SYS_RESOURCE the kernel refuses (EACCES): that is logged, and containers are then placed above the daemon
    /// instead (<see cref="ContainerOomScoreAdj"/>). Returns the daemon's score afterwards.
    /// </summary>
    public static int ProtectDaemon(ILogger log)
    {
        int before = CurrentOomScoreAdj();
        if (before <= DaemonOomScoreTarget) return before;
        try { File.WriteAllText(OomScoreAdjFile, DaemonOomScoreTarget.ToString(CultureInfo.InvariantCulture)); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            log.LogWarning("Could not lower the daemon's oom_score_adj from {Before} to {Target} ({Error}): it lacks CAP_SYS_RESOURCE. " +
                "Containers get oom_score_adj {Container} instead, so the OOM killer still picks them before the daemon; " +
                "run mydockerd with CAP_SYS_RESOURCE (or systemd's OOMScoreAdjust=-500) for Docker's placement",
                before, DaemonOomScoreTarget, e.Message, ContainerOomScoreAdj(before));
        }
        return CurrentOomScoreAdj();
    }
}
