using MyDocker.Engine.Containers;

namespace MyDocker.Web.Hosting;

/// <summary>Records container exits (written by the monitors) for as long as the daemon runs; exits that happened
/// while it was down are recorded first.</summary>
public sealed class ContainerExitService(ContainerService containers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => containers.RunExitLoopAsync(stoppingToken);
}
