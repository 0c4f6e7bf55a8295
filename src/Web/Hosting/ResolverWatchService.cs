using MyDocker.Engine.Networks.Dns;

namespace MyDocker.Web.Hosting;

/// <summary>Starts the name resolver again if it dies while the daemon runs (<see cref="ResolverClient.RunWatchAsync"/>).</summary>
public sealed class ResolverWatchService(ResolverClient resolver) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => resolver.RunWatchAsync(stoppingToken);
}
