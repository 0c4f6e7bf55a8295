using MyDocker.Engine.Networks.Firewall;

namespace MyDocker.Web.Hosting;

/// <summary>
/// Puts the engine's nftables table back within seconds when something outside the engine removes or edits it (an
/// `nft flush ruleset`, a firewall manager reloading its own rules): published ports and egress would otherwise stay
/// dead until the next daemon start. One read of our table every <see cref="Interval"/> (a few ms with 1,000 ports);
/// the rebuild is one transaction from what the engine holds.
/// </summary>
public sealed class FirewallWatchService(IFirewall firewall, ILogger<FirewallWatchService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (firewall.Restore() is { } repaired) logger.LogWarning("Firewall repaired: {Change}", repaired);
                }
                catch (Exception e) { logger.LogError("Firewall check failed: {Error}", e.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }
}
