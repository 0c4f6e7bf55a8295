using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Ports;
using MyDocker.Web.Dashboard.Topology;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class TopologyPageTests : DashboardTestContext
{
    private static TopologyNetwork Net(string name, params TopologyContainer[] containers) => new()
    {
        Id = "id-" + name, Name = name, Subnet = "10.5.0.0/24", Gateway = "10.5.0.1", Bridge = "md-" + name, Containers = containers,
    };

    private static TopologyContainer Ctr(string name, string state, string ip, params PublishedPort[] ports) =>
        new() { Id = "c-" + name, Name = name, State = state, Ip = ip, Ports = ports };

    [Fact]
    public void Draws_networks_containers_and_ports_and_follows_events()
    {
        Topology.View = new("box", [Net("web", Ctr("api", "running", "10.5.0.2", new PublishedPort("tcp", "127.0.0.1", 18099, 80)))]);
        var cut = Render<TopologyPage>();
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        var net = cut.Find("[data-testid=topology-network]");
        Assert.Equal("Network web", net.GetAttribute("aria-label"));
        Assert.Contains("bridge md-web", net.TextContent);
        Assert.Contains("10.5.0.0/24 · gateway 10.5.0.1", net.TextContent);
        var api = cut.Find("[data-testid=topology-container]");
        Assert.Contains("running", api.TextContent);
        Assert.Contains("10.5.0.2", api.TextContent);
        Assert.Equal("/containers/api", api.QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("127.0.0.1:18099 → 80/tcp", api.TextContent);
        Assert.Contains("127.0.0.1:18099 → api:80/tcp", cut.Find("[data-testid=topology-host]").TextContent);

        // The container stops and another starts elsewhere (CLI): the picture follows the events.
        Topology.View = new("box", [Net("web", Ctr("api", "exited", "10.5.0.2")), Net("db", Ctr("pg", "running", "10.5.0.3"))]);
        Engine.Publish(EngineEvents.ContainerDied(FakeDashboardEngine.Actor("c-api", "api"), 0));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=topology-network]").Count));
        Assert.Contains("exited", cut.FindAll("[data-testid=topology-container]").Single(c => c.TextContent.Contains("api")).TextContent);
        Assert.Contains("No published ports.", cut.Find("[data-testid=topology-host]").TextContent);
    }

    [Fact]
    public void Clicking_a_port_probes_it_and_shows_whether_it_answers()
    {
        Topology.View = new("box", [Net("web",
            Ctr("api", "running", "10.5.0.2", new PublishedPort("tcp", "127.0.0.1", 18099, 80)),
            Ctr("cache", "running", "10.5.0.3", new PublishedPort("tcp", "0.0.0.0", 18100, 6379)))]);
        Topology.Answering.Add(18099);
        var cut = Render<TopologyPage>();
        // Once live: the feed's first batch renders again, which would swap the buttons' handlers under a click.
        cut.WaitForAssertion(() => Assert.Equal("live", cut.Find("[data-testid=connection]").TextContent.Trim()));
        Assert.Equal(2, cut.FindAll("button.topo-port").Count);
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Probe 127.0.0.1:18099 to api port 80/tcp").Click();
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Probe 0.0.0.0:18100 to cache port 6379/tcp").Click();
        cut.WaitForAssertion(() => Assert.Equal(["answers", "no answer"], cut.FindAll("[data-testid=probe-result]").Select(r => r.TextContent.Trim())));
        Assert.Equal([18099, 18100], Topology.Probed.Select(p => p.HostPort));
    }
}
