using MyDocker.Engine.Networks.Firewall;

namespace MyDocker.Web.Hosting;

/// <summary>Runs the <see cref="FirewallWatch"/> for as long as the daemon runs. Started after the start-up reconcile
/// (hosted services start with the host), so the watch checks a firewall the reconciler has already built.</summary>
public sealed class FirewallWatchService(FirewallWatch watch, ILogger<FirewallWatchService> logger) : BackgroundService
{
    // A thread of its own: the watch blocks in poll(2) between notifications. It is created by the host's thread, so it
    // is in the daemon's network namespace, where the watch opens its netlink socket.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() =>
        {
            try { watch.Run(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The firewall watch stopped; drift is repaired only by 'mydocker system reconcile' until the daemon restarts");
            }
        }, stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
