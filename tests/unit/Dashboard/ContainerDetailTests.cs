using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Ports;
using MyDocker.Web.Dashboard.Containers;
using MyDocker.Web.Dashboard.Topology;
using MyDocker.Engine.Events;

namespace MyDocker.UnitTests.Dashboard;

public class ContainerDetailTests : DashboardTestContext
{
    public ContainerDetailTests() => Services.AddSingleton<MyDocker.Web.Dashboard.Logs.IDashboardLogs>(new FakeDashboardLogs());

    private IRenderedComponent<ContainerDetail> Open(string url, string name)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return Render<ContainerDetail>(p => p.Add(c => c.IdOrName, name));
    }

    private static List<string> Probes(IRenderedComponent<ContainerDetail> cut) =>
        cut.FindAll("[data-testid=probe]").Select(e => e.TextContent.Trim()).ToList();

    [Fact]
    public void Opened_by_the_wizard_it_probes_each_TCP_port_and_says_whether_it_answers()
    {
        Engine.Containers.Add(FakeDashboardEngine.Container("web", ports:
            [new PortRow("tcp", "127.0.0.1", 8080, 80), new PortRow("tcp", "0.0.0.0", 8443, 443), new PortRow("udp", "127.0.0.1", 5353, 53)]));
        Topology.Answering.Add(8080);
        var cut = Open("/containers/web?probe=ports", "web");
        cut.WaitForAssertion(() => Assert.Equal(["answers: accepted", "no answer: refused"], Probes(cut)));
        // UDP has no handshake: neither probed nor offered a probe button.
        Assert.DoesNotContain(Topology.Probed, p => p.Protocol == "udp");
        Assert.Equal("not probed: UDP has no handshake to wait for", cut.Find("[data-testid=not-probed]").TextContent.Trim());
        Assert.Equal(2, cut.FindAll("button").Count(b => b.GetAttribute("aria-label")?.StartsWith("Probe ") == true));
        // 8443 was refused: retried within the grace (a server just started may not listen yet), then reported.
        Assert.True(Topology.Probed.Count(p => p.HostPort == 8443) > 1);

        // A probe by hand, once the server listens.
        Topology.Answering.Add(8443);
        cut.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Probe 127.0.0.1:8443").Click();
        cut.WaitForAssertion(() => Assert.Equal(["answers: accepted", "answers: accepted"], Probes(cut)));
    }

    [Fact]
    public void Opened_any_other_way_it_probes_nothing_until_asked()
    {
        Engine.Containers.Add(FakeDashboardEngine.Container("web", ports: [new PortRow("tcp", "127.0.0.1", 8080, 80)]));
        var cut = Open("/containers/web", "web");
        cut.WaitForAssertion(() => Assert.Equal("running", cut.Find("[data-testid=state]").TextContent));
        // The page renders the row before it would start probes, in the same feed callback: wait until a later event
        // was handled too (events are handled in order), so a wrong probe would have been started by now.
        int at = Engine.Containers.FindIndex(c => c.Name == "web");
        Engine.Containers[at] = Engine.Containers[at] with { Status = "marker" };
        Engine.Publish(EngineEvents.ContainerRestarted(Engine.Containers[at].Id));
        cut.WaitForAssertion(() => Assert.Contains("(marker)", cut.Find("[data-testid=container-facts]").TextContent));
        Assert.Empty(Topology.Probed);
        Assert.Empty(Probes(cut));
    }

    [Fact]
    public void H4_on_a_dashboard_address_of_its_own_a_port_reached_through_it_is_no_link()
    {
        // MyDocker:Dashboard:Address 192.0.2.5: its cookie belongs to 192.0.2.5, and goes to every port there.
        ServeDashboardOn("192.0.2.5");
        Engine.Containers.Add(FakeDashboardEngine.Container("web", ports:
            [new PortRow("tcp", "0.0.0.0", 8080, 80), new PortRow("tcp", "192.0.2.5", 8081, 81), new PortRow("tcp", "127.0.0.1", 8082, 82)]));
        var cut = Open("/containers/web", "web");
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=published-port]").Count));
        var ports = cut.FindAll("[data-testid=published-port]");
        // 0.0.0.0 is reached from the browser's machine through the dashboard's address: shown, not linked, with the reason.
        Assert.Empty(ports[0].QuerySelectorAll("a"));
        Assert.StartsWith("192.0.2.5:8080", ports[0].TextContent.Trim());
        Assert.Contains("session cookie would be sent", ports[0].QuerySelector("[data-testid=link-withheld]")!.TextContent);
        Assert.Empty(ports[1].QuerySelectorAll("a"));
        Assert.NotNull(ports[1].QuerySelector("[data-testid=link-withheld]"));
        // Another host: linked.
        Assert.Equal("http://127.0.0.1:8082", ports[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Null(ports[2].QuerySelector("[data-testid=link-withheld]"));
    }
}

public class PortProberTests
{
    private sealed class AnswersOnAttempt(int attempt) : IDashboardTopology
    {
        public int Attempts;
        public Task<TopologyView> ReadAsync(CancellationToken ct = default) => throw new NotSupportedException();
        public Task<PortProbe> ProbeAsync(PublishedPort port, CancellationToken ct = default) =>
            Task.FromResult(++Attempts >= attempt ? new PortProbe(true, "accepted") : new PortProbe(false, "refused"));
    }

    [Fact]
    public async Task A_refusal_is_retried_until_the_port_answers()
    {
        var topology = new AnswersOnAttempt(3);
        var probe = await PortProber.UntilAnswerAsync(topology, new PublishedPort("tcp", "127.0.0.1", 8080, 80), TimeSpan.FromSeconds(30));
        Assert.True(probe.Answers);
        Assert.Equal(3, topology.Attempts);
    }

    [Fact]
    public async Task Without_grace_or_for_UDP_it_asks_once()
    {
        var tcp = new AnswersOnAttempt(2);
        Assert.False((await PortProber.UntilAnswerAsync(tcp, new PublishedPort("tcp", "127.0.0.1", 8080, 80), TimeSpan.Zero)).Answers);
        Assert.Equal(1, tcp.Attempts);
        var udp = new AnswersOnAttempt(2);
        Assert.False((await PortProber.UntilAnswerAsync(udp, new PublishedPort("udp", "127.0.0.1", 53, 53), TimeSpan.FromSeconds(30))).Answers);
        Assert.Equal(1, udp.Attempts);
    }
}
