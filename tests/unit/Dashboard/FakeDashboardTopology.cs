using MyDocker.Engine.Ports;
using MyDocker.Web.Dashboard.Topology;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The topology seam answering what the test set; probes answer from <see cref="Answering"/>.</summary>
public sealed class FakeDashboardTopology : IDashboardTopology
{
    public TopologyView View { get; set; } = new("testhost", []);
    public HashSet<int> Answering { get; } = [];
    public List<PublishedPort> Probed { get; } = [];

    public Task<TopologyView> ReadAsync(CancellationToken ct = default) => Task.FromResult(View);

    public Task<PortProbe> ProbeAsync(PublishedPort port, CancellationToken ct = default)
    {
        lock (Probed) Probed.Add(port);
        return Task.FromResult(Answering.Contains(port.HostPort) ? new PortProbe(true, "accepted") : new PortProbe(false, "refused"));
    }
}
