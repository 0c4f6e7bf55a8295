using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MyDocker.Cli;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.UnitTests.Cli;

/// <summary><c>-p</c> values → port requests → Docker's ExposedPorts/PortBindings, as the CLI sends them.</summary>
public class PortMapsTests
{
    private static string Json<T>(T value) =>
        JsonSerializer.Serialize(value, (JsonTypeInfo<T>)ApiJsonContext.Default.GetTypeInfo(typeof(T))!);

    private static PortMaps Maps(string[] values) => DaemonClient.ToDockerMaps(PublishSpec.ParseAll(values));

    [Fact]
    public void SeveralValuesMergeIntoDockersMapsInOrder()
    {
        var maps = Maps(["8080:80", "127.0.0.1:9000-9001:90-91/udp", "127.0.0.1::80", "53/udp", "8000-8010:443"]);
        Assert.Equal("""{"80/tcp":{},"90/udp":{},"91/udp":{},"53/udp":{},"443/tcp":{}}""", Json(maps.ExposedPorts));
        Assert.Equal(
            """{"80/tcp":[{"HostIp":"","HostPort":"8080"},{"HostIp":"127.0.0.1","HostPort":""}],"90/udp":[{"HostIp":"127.0.0.1","HostPort":"9000"}],"91/udp":[{"HostIp":"127.0.0.1","HostPort":"9001"}],"53/udp":[{"HostIp":"","HostPort":""}],"443/tcp":[{"HostIp":"","HostPort":"8000-8010"}]}""",
            Json(maps.PortBindings));
    }

    [Fact]
    public void TcpAndUdpOfOnePortAreTwoKeys()
    {
        var maps = Maps(["53:53", "53:53/udp"]);
        Assert.Equal(["53/tcp", "53/udp"], maps.ExposedPorts.Keys);
    }

    [Fact]
    public void OneBadValueAmongSeveralFailsTheWhole() =>
        Assert.StartsWith("-p '80:':", Assert.Throws<FormatException>(() => Maps(["8080:80", "80:"])).Message);

    [Fact]
    public void EmptyListGivesEmptyMaps()
    {
        var maps = Maps([]);
        Assert.Empty(maps.ExposedPorts);
        Assert.Empty(maps.PortBindings);
    }
}
