using MyDocker.Engine.Ports;

namespace MyDocker.Web.Dashboard.Topology;

/// <summary>Probes a port that was just published: a server in a container that has just started may take a moment to
/// listen, so a refusal is retried until it answers or <paramref name="grace"/> has passed (the last answer is what
/// the user sees).</summary>
public static class PortProber
{
    public static readonly TimeSpan AfterStartGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    public static async Task<PortProbe> UntilAnswerAsync(IDashboardTopology topology, PublishedPort port, TimeSpan grace, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + grace;
        while (true)
        {
            var probe = await topology.ProbeAsync(port, ct);
            // UDP is never probed: asking again would not change the answer.
            if (probe.Answers || port.Protocol != "tcp" || DateTime.UtcNow + Pause >= deadline) return probe;
            await Task.Delay(Pause, ct);
        }
    }
}
