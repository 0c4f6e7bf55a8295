using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.Web.Hosting;

/// <summary>
/// Puts the engine's nftables table back within seconds when something outside the engine removes or edits it (an
/// `nft flush ruleset`, a firewall manager reloading its own rules): published ports and egress would otherwise stay
/// dead until the next daemon start. Every <see cref="Interval"/> it reads the ruleset generation, and lists our table only
/// when a transaction happened since the last match (<see cref="IFirewall.Restore"/>); the rebuild is one transaction from
/// what the engine holds. Less often, it also makes sure a FORWARD chain with
/// policy drop that another tool set up meanwhile (Docker does at its start) accepts our bridges.
/// </summary>
public sealed class FirewallWatchService(IFirewall firewall, ForeignFirewall foreign, ILogger<FirewallWatchService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Every this many ticks: the foreign check may run iptables, a process (and is skipped while the ruleset
    /// generation has not moved).</summary>
    private const int ForeignEvery = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            for (long tick = 1; await timer.WaitForNextTickAsync(stoppingToken); tick++)
            {
                try
                {
                    if (firewall.Restore() is { } repaired) logger.LogWarning("Firewall repaired: {Change}", repaired);
                    if (tick % ForeignEvery == 0) foreign.OpenIfChanged(firewall.Bridges());   // logs what it changes
                }
                catch (Exception e) { logger.LogError("Firewall check failed: {Error}", e.Message); }
            }
        }
        catch (OperationCanceledException) { }
    }
}
