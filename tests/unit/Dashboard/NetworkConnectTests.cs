using System.Net;
using AngleSharp.Dom;
using Bunit;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Events;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Web.Dashboard;
using MyDocker.Web.Dashboard.Networks;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>The network page's names table, its connect form and its disconnect buttons, against the fake engine.</summary>
public class NetworkConnectTests : DashboardTestContext
{
    private static readonly string AppId = new('a', 64);

    private NetworkRow AddWeb()
    {
        var net = FakeDashboardEngine.Row("web", "10.1.0.0/24") with
        {
            Leases = [new LeaseRow(AppId, "10.1.0.2", DateTimeOffset.UnixEpoch) { OwnerName = "app" }],
        };
        Engine.Networks.Add(net);
        return net;
    }

    private IRenderedComponent<NetworkDetail> RenderWeb() => Render<NetworkDetail>(p => p.Add(x => x.IdOrName, "web"));

    private static IElement Field(IRenderedComponent<NetworkDetail> cut, string label) =>
        cut.Find("#" + cut.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for"));

    private static IElement Button(IRenderedComponent<NetworkDetail> cut, string text) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == text || b.GetAttribute("aria-label") == text);

    private static string? ErrorUnder(IRenderedComponent<NetworkDetail> cut, string label) =>
        Field(cut, label).Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    [Fact]
    public void Names_are_listed_with_their_addresses_containers_and_kinds_and_follow_a_container_start()
    {
        AddWeb();
        Engine.Names["web"] =
        [
            new NameRow("app", [new NameAnswer(AppId, "app", "10.1.0.2", NameKind.Name)]),
            new NameRow("db", [new NameAnswer(AppId, "app", "10.1.0.2", NameKind.Alias), new NameAnswer(new('c', 64), "db2", "10.1.0.3", NameKind.Alias)]),
        ];
        var cut = RenderWeb();
        cut.WaitForAssertion(() =>
        {
            var db = cut.FindAll("[data-testid=names] tbody tr").Single(r => r.Children[0].TextContent == "db");
            Assert.Equal("10.1.0.2, 10.1.0.3", db.Children[1].TextContent);
            Assert.Equal("app (alias), db2 (alias)", db.Children[2].TextContent);
            Assert.Contains("app (container name)", cut.Find("[data-testid=names]").TextContent);
        });

        // A container starting publishes its names without any network event: the page reads them again.
        Engine.Names["web"] = [.. Engine.Names["web"], new NameRow("h1", [new NameAnswer(new('d', 64), "cache", "10.1.0.4", NameKind.Hostname)])];
        Engine.Publish(EngineEvents.ContainerStarted(FakeDashboardEngine.Actor(new('d', 64), "cache")));
        cut.WaitForAssertion(() => Assert.Contains("cache (hostname)", cut.Find("[data-testid=names]").TextContent));
    }

    [Fact]
    public void The_default_network_says_it_resolves_no_names()
    {
        Engine.Networks.Add(FakeDashboardEngine.Row("bridge", "172.17.0.0/16"));
        var cut = Render<NetworkDetail>(p => p.Add(x => x.IdOrName, "bridge"));
        cut.WaitForAssertion(() => Assert.Contains("resolves no container names", cut.Find("[data-testid=names]").TextContent));
    }

    [Theory]
    [InlineData("Aliases", "db, bad_alias", "alias 'bad_alias' for container 'api' contains '_'")]
    [InlineData("Aliases", "db -x", "alias '-x' for container 'api' starts or ends with '-'")]
    [InlineData("IP address", "10.2.0.5", "10.2.0.5 is outside network 'web' (10.1.0.0/24)")]
    [InlineData("IP address", "10.1.0.2", "10.1.0.2 is taken by container 'app'")]
    [InlineData("IP address", "10.1", "'10.1' is not an IPv4 address")]
    public void A_bad_value_shows_its_message_as_typed_and_disables_connect(string label, string value, string message)
    {
        AddWeb();
        var api = FakeDashboardEngine.Container("api", ip: null);
        Engine.Containers.Add(api);
        var cut = RenderWeb();
        cut.WaitForAssertion(() => Assert.Contains("api (running)", Field(cut, "Container").TextContent));
        Field(cut, "Container").Change(api.Id);
        cut.WaitForAssertion(() => Assert.False(Button(cut, "Connect").HasAttribute("disabled")));

        Field(cut, label).Input(value);
        cut.WaitForAssertion(() =>
        {
            Assert.StartsWith(message, ErrorUnder(cut, label));
            Assert.True(Button(cut, "Connect").HasAttribute("disabled"));
        });

        Field(cut, label).Input("");
        cut.WaitForAssertion(() =>
        {
            Assert.Null(ErrorUnder(cut, label));
            Assert.False(Button(cut, "Connect").HasAttribute("disabled"));
        });
    }

    [Fact]
    public async Task Connect_calls_the_engine_with_the_values_and_shows_its_refusal()
    {
        var net = AddWeb();
        var api = FakeDashboardEngine.Container("api", ip: null);
        var app = FakeDashboardEngine.Container("app", ip: null) with { Networks = [new Web.Dashboard.Containers.EndpointRow("web", "10.1.0.2")] };
        Engine.Containers.AddRange([api, app]);
        var cut = RenderWeb();
        cut.WaitForAssertion(() => Assert.Contains("api (running)", Field(cut, "Container").TextContent));
        Assert.DoesNotContain("app", Field(cut, "Container").TextContent); // already on the network
        Assert.True(Button(cut, "Connect").HasAttribute("disabled")); // no container chosen

        Field(cut, "Container").Change(api.Id);
        Field(cut, "IP address").Input("10.1.0.9");
        Field(cut, "Aliases").Input("db, primary  cache");
        cut.WaitForAssertion(() => Assert.False(Button(cut, "Connect").HasAttribute("disabled")));
        await cut.InvokeAsync(() => Button(cut, "Connect").Click());
        cut.WaitForAssertion(() => Assert.Contains("Connected container 'api' to network 'web'", cut.Find("[data-testid=connect-done]").TextContent));
        Assert.Equal($"connect {net.Id} {api.Id} ip=10.1.0.9 aliases=db,primary,cache", Engine.Calls.Single());

        // The engine refuses (a race the form could not see): its words, and the circuit lives on.
        Engine.ConnectError = "--ip 10.1.0.9 is already in use on network 'web'; give another address";
        Field(cut, "Container").Change(api.Id);
        Field(cut, "IP address").Input("10.1.0.9");
        cut.WaitForAssertion(() => Assert.False(Button(cut, "Connect").HasAttribute("disabled")));
        await cut.InvokeAsync(() => Button(cut, "Connect").Click());
        cut.WaitForAssertion(() => Assert.Contains("already in use", cut.Find("[data-testid=connect-error]").TextContent));
    }

    [Fact]
    public void Disconnect_calls_the_engine_and_shows_its_refusal()
    {
        var net = AddWeb();
        var cut = RenderWeb();
        cut.WaitForAssertion(() => Assert.Contains("app", cut.Find("[data-testid=leases]").TextContent));

        Engine.DisconnectError = "container 'app' is on no other network; connect it to another network first";
        Button(cut, "Disconnect app").Click();
        cut.WaitForAssertion(() => Assert.Contains("is on no other network", cut.Find("[data-testid=disconnect-error]").TextContent));

        Engine.DisconnectError = null;
        Button(cut, "Disconnect app").Click();
        cut.WaitForAssertion(() => Assert.Equal($"disconnect {net.Id} {AppId}", Engine.Calls.Last()));
        Assert.Empty(cut.FindAll("[data-testid=disconnect-error]"));
    }
}

/// <summary>The names table's rows from the engine's containers: what the resolver is given, with each name's kind.</summary>
public class NetworkNamesTests
{
    private static Network Net(string name) => new(
        new string('1', 64), name, "bridge", IPv4Subnet.Parse("10.1.0.0/24"), IPAddress.Parse("10.1.0.1"), null, "md-" + name,
        false, NetworkPhase.Ready, DateTimeOffset.UnixEpoch, new Dictionary<string, string>(), new Dictionary<string, string>());

    private static Container Ctr(char id, string name, string ip, ContainerPhase phase, string networkId, string[] aliases, string? hostname = null) => new(
        new string(id, 64), name, "busybox", "", new ContainerSpec { Hostname = hostname },
        [new Endpoint(networkId, IPAddress.Parse(ip), "02:42:0a:01:00:02") { Aliases = aliases }], phase, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Running_containers_names_with_kinds_and_shared_aliases_answered_by_each()
    {
        var net = Net("web");
        var rows = NetworkNames.Of(net,
        [
            Ctr('a', "app", "10.1.0.2", ContainerPhase.Running, net.Id, ["db", "App"], hostname: "h1"),
            Ctr('b', "db2", "10.1.0.3", ContainerPhase.Running, net.Id, ["DB"]),
            Ctr('c', "off", "10.1.0.4", ContainerPhase.Exited, net.Id, ["gone"]),
        ]);
        string Show(string name) => string.Join("; ", rows.Single(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Answers.Select(a => $"{a.Container} {a.Address} {a.Kind}"));
        Assert.Equal("app 10.1.0.2 Name", Show("app")); // "App" as an alias is the same DNS name
        Assert.Equal("app 10.1.0.2 Alias; db2 10.1.0.3 Alias", Show("db"));
        Assert.Equal("app 10.1.0.2 ShortId", Show("aaaaaaaaaaaa"));
        Assert.Equal("app 10.1.0.2 Hostname", Show("h1"));
        Assert.Equal("db2 10.1.0.3 ShortId", Show("bbbbbbbbbbbb")); // no hostname: it is the short id
        Assert.DoesNotContain(rows, r => r.Name is "off" or "gone");
    }

    [Fact]
    public void The_default_network_resolves_nothing()
    {
        var net = Net("bridge");
        Assert.Empty(NetworkNames.Of(net, [Ctr('a', "app", "10.1.0.2", ContainerPhase.Running, net.Id, ["db"])]));
    }
}
