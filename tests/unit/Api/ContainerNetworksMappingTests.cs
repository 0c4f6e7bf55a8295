using System.Net;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>Several networks in Docker's shapes: a create request's EndpointsConfig (by API version), connect's
/// EndpointConfig, container inspect's NetworkSettings.Networks and network inspect's Containers.</summary>
public class ContainerNetworksMappingTests
{
    private static Dictionary<string, EndpointSettings> Two() => new()
    {
        ["app"] = new EndpointSettings { IPAMConfig = new EndpointIpamConfig { IPv4Address = "10.1.0.9" }, Aliases = ["db"] },
        ["back"] = new EndpointSettings { Aliases = ["api"] },
    };

    [Fact]
    public void From_api_1_44_every_EndpointsConfig_entry_is_a_network_NetworkMode_first()
    {
        var (first, more) = ContainerMapping.NetworksOf("back", Two(), new Version(1, 44));
        Assert.Equal(("back", null, "api"), (first!.Network, first.Ip, string.Join(',', first.Aliases)));
        Assert.Equal([("app", "10.1.0.9", "db")], more.Select(m => (m.Network, m.Ip, string.Join(',', m.Aliases))));

        var (defaulted, rest) = ContainerMapping.NetworksOf("default", Two(), new Version(1, 47));
        Assert.Equal("app", defaulted!.Network);
        Assert.Equal(["back"], rest.Select(m => m.Network));
    }

    [Fact]
    public void Before_api_1_44_several_networks_are_refused_and_one_is_fine()
    {
        var e = Assert.Throws<EngineException>(() => ContainerMapping.NetworksOf("app", Two(), new Version(1, 43)));
        Assert.Equal("2 networks given, but API version 1.43 accepts one per create (1.44 and later accept several); create the container on one and connect the others (docker network connect)", e.Message);
        var (first, more) = ContainerMapping.NetworksOf("app", new() { ["app"] = new EndpointSettings() }, new Version(1, 24));
        Assert.Equal("app", first!.Network);
        Assert.Empty(more);
    }

    [Theory]
    [InlineData("ipv6", "IPv6 addresses (--ip6) are not supported")]
    [InlineData("linklocal", "link-local addresses (--link-local-ip) are not supported")]
    [InlineData("mac", "a MAC address of one's own (--mac-address) is not supported")]
    [InlineData("links", "legacy links (--link) are not supported")]
    public void Endpoint_fields_we_do_not_implement_are_refused_by_name(string field, string message)
    {
        var settings = field switch
        {
            "ipv6" => new EndpointSettings { IPAMConfig = new EndpointIpamConfig { IPv6Address = "fd00::2" } },
            "linklocal" => new EndpointSettings { IPAMConfig = new EndpointIpamConfig { LinkLocalIPs = ["169.254.1.1"] } },
            "mac" => new EndpointSettings { MacAddress = "02:42:00:00:00:01" },
            _ => new EndpointSettings { Links = ["db:db"] },
        };
        var e = Assert.Throws<EngineException>(() => ContainerMapping.Attachment("app", settings));
        Assert.StartsWith("the endpoint on network 'app': " + message, e.Message);
    }

    private static Network Net(string id, string name, string subnet, string gateway) =>
        NetworkStore.ToNetwork(new NetworkEntity { Id = id, Name = name, Subnet = subnet, Gateway = gateway, Bridge = "md-" + id[..3] });

    [Fact]
    public void Container_inspect_lists_every_network_with_aliases_static_address_and_dns_names()
    {
        string id = new('c', 64);
        var app = Net(new string('a', 64), "app", "10.1.0.0/24", "10.1.0.1");
        var back = Net(new string('b', 64), "back", "10.2.0.0/24", "10.2.0.1");
        var record = ContainerStore.ToContainer(new() { Id = id, Name = "web", Image = "busybox", ImageId = "sha256:x" }, app.Id) with
        {
            Endpoints =
            [
                new Endpoint(app.Id, IPAddress.Parse("10.1.0.9"), "02:42:0a:01:00:09") { Aliases = ["db"], StaticIp = IPAddress.Parse("10.1.0.9") },
                new Endpoint(back.Id, IPAddress.Parse("10.2.0.2"), "02:42:0a:02:00:02") { InterfaceIndex = 1 },
            ],
        };
        var view = ContainerView.Of(record, new Dictionary<string, Network> { [app.Id] = app, [back.Id] = back });

        var inspect = ContainerMapping.ToInspect(view, ContainerPaths.For(new EngineOptions(), id));

        var settings = inspect.NetworkSettings;
        Assert.Equal(["app", "back"], settings.Networks.Keys);
        Assert.Equal(("10.1.0.9", "10.1.0.1", 24), (settings.IPAddress, settings.Gateway, settings.IPPrefixLen));
        var first = settings.Networks["app"];
        Assert.Equal(("10.1.0.9", "db", app.Id, "02:42:0a:01:00:09"), (first.IPAMConfig?.IPv4Address, string.Join(',', first.Aliases!), first.NetworkID, first.MacAddress));
        Assert.Equal(["web", "db", "cccccccccccc"], first.DNSNames);
        var second = settings.Networks["back"];
        Assert.Equal(("10.2.0.2", "10.2.0.1", 24, (EndpointIpamConfig?)null, (List<string>?)null), (second.IPAddress, second.Gateway, second.IPPrefixLen, second.IPAMConfig, second.Aliases));
        Assert.NotEqual(first.EndpointID, second.EndpointID);

        var network = NetworkMapping.ToResource(
            new NetworkView(back, new IpamUsageInfo(253, 1, 252), [new IpamLease(back.Id, IPv4.Parse("10.2.0.2"), id, DateTimeOffset.UnixEpoch)]), [record]);
        var entry = network.Containers[id];
        Assert.Equal(("web", "02:42:0a:02:00:02", "10.2.0.2/24", second.EndpointID), (entry.Name, entry.MacAddress, entry.IPv4Address, entry.EndpointID));
    }
}
