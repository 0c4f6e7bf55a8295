using MyDocker.Engine.Reconcile;

namespace MyDocker.Web.Hosting;

/// <summary>
/// The part of the start-up reconcile that no request waits for: processes, cgroups, monitors, veths, mounts and
/// directories that no container record owns. Killing another's leftover processes takes as long as they take to die,
/// so it runs once in the background while the API answers (see Program.cs for the order).
/// </summary>
public sealed class OrphanSweepService(Reconciler reconciler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => reconciler.RemoveOrphansAsync();
}
