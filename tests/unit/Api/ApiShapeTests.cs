using System.Text.Json;
using MyDocker.Engine.Networks.Ipam;
using MyDocker.Engine.Networks;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>The JSON the daemon sends has Docker's field names and shapes (what the docker CLI decodes).</summary>
public class ApiShapeTests
{
    private static NetworkView View() => new(
        NetworkStore.ToNetwork(new NetworkEntity
        {
            Id = new string('a', 64), Name = "web", Subnet = "10.0.0.0/24", Gateway = "10.0.0.1", Bridge = "md-aaaaaaaaaaaa",
            Created = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero), Phase = NetworkPhase.Ready,
            OptionsJson = """{"com.docker.network.bridge.name":"md-aaaaaaaaaaaa"}""",
        }),
        new IpamUsageInfo(253, 1, 252),
        [new IpamLease(new string('a', 64), IPv4.Parse("10.0.0.2"), "c1", DateTimeOffset.UnixEpoch)]);

    [Fact]
    public void Network_resource_has_dockers_field_names()
    {
        string json = JsonSerializer.Serialize(NetworkMapping.ToResource(View()), ApiJsonContext.Default.NetworkResource);
        Assert.Equal(
            """{"Name":"web","Id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","Created":"2026-11-24T06:00:00+00:00","Scope":"local","Driver":"bridge","EnableIPv6":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}],"Options":{}},"Internal":false,"Attachable":false,"Ingress":false,"ConfigFrom":{"Network":""},"ConfigOnly":false,"Containers":{"c1":{"Name":"c1","EndpointID":"6979cbba60418db5cbed4904b839fa9e0292c6b6caec90cd264b8a7033a51ea5","MacAddress":"","IPv4Address":"10.0.0.2/24","IPv6Address":""}},"Options":{"com.docker.network.bridge.name":"md-aaaaaaaaaaaa"},"Labels":{},"IpamUsage":{"Total":253,"Used":1,"Free":252}}""",
            json);
    }

    [Fact]
    public void Errors_use_a_lowercase_message_field()
    {
        Assert.Equal("""{"message":"boom"}""", JsonSerializer.Serialize(new ErrorResponse { Message = "boom" }, ApiJsonContext.Default.ErrorResponse));
    }

    [Fact]
    public void Docker_cli_create_body_is_understood()
    {
        // As sent by docker 28 for: docker network create --subnet 10.20.0.0/16 --gateway 10.20.0.1 -o com.docker.network.bridge.name=br9 dnet
        var body = JsonSerializer.Deserialize(
            """{"Name":"dnet","Driver":"bridge","Scope":"","EnableIPv4":null,"EnableIPv6":null,"IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.20.0.0/16","Gateway":"10.20.0.1"}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{"com.docker.network.bridge.name":"br9"},"Labels":{}}""",
            new JsonSerializerOptions(ApiJsonContext.Default.Options) { PropertyNameCaseInsensitive = true }.GetTypeInfo(typeof(NetworkCreateRequest)));
        var req = Assert.IsType<NetworkCreateRequest>(body);
        Assert.Equal("dnet", req.Name);
        Assert.Equal("10.20.0.0/16", req.IPAM!.Config![0].Subnet);
        Assert.Equal("br9", req.Options!["com.docker.network.bridge.name"]);
    }

    [Theory]
    [InlineData("""{"name":{"we":true}}""", true)]
    [InlineData("""{"name":["zz"]}""", false)]
    [InlineData("""{"id":{"aaaa":true}}""", true)]
    [InlineData("""{"driver":{"bridge":true},"type":{"custom":true}}""", true)]
    [InlineData("""{"driver":{"macvlan":true}}""", false)]
    public void List_filters_follow_docker(string filters, bool matches)
    {
        Assert.Equal(matches, NetworkMapping.ParseFilters(filters)(NetworkMapping.ToResource(View())));
    }
}
