using MyDocker.Engine;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>Docker's HostConfig.PortBindings → the engine's port requests, at the API edge.</summary>
public sealed class ContainerMappingPortsTests
{
    private static List<PortRequest> From(string key, string? hostIp, string? hostPort) =>
        ContainerMapping.PortRequests(new Dictionary<string, List<PortBinding>?> { [key] = [new PortBinding { HostIp = hostIp, HostPort = hostPort }] });

    [Theory]
    [InlineData("80/tcp", "", "8080", "tcp", "0.0.0.0", 8080, 8080, 80)]
    [InlineData("80", null, null, "tcp", "0.0.0.0", 0, 0, 80)]
    [InlineData("53/UDP", "127.0.0.1", "5300-5310", "udp", "127.0.0.1", 5300, 5310, 53)]
    [InlineData("65535/tcp", "0.0.0.0", "65535", "tcp", "0.0.0.0", 65535, 65535, 65535)]
    public void Docker_bindings_are_read(string key, string? ip, string? port, string protocol, string hostIp, int first, int last, int containerPort) =>
        Assert.Equal([new PortRequest(protocol, hostIp, first, last, containerPort)], From(key, ip, port));

    [Theory]
    [InlineData("80/sctpx", "", "80", "protocol 'sctpx' is unknown")]
    [InlineData("80/sctp", "", "80", "sctp is not supported")]
    [InlineData("0/tcp", "", "80", "from 1 to 65535")]
    [InlineData("70000/tcp", "", "80", "from 1 to 65535")]
    [InlineData("a/tcp", "", "80", "from 1 to 65535")]
    [InlineData("80/tcp", "", "0", "host port '0'")]
    [InlineData("80/tcp", "", "70000", "host port '70000'")]
    [InlineData("80/tcp", "", "b", "host port 'b'")]
    [InlineData("80/tcp", "", "90-80", "ends before it starts")]
    [InlineData("80/tcp", "", "65530-65540", "host port '65530-65540'")]
    [InlineData("80/tcp", "1.2.3.4.5", "80", "'1.2.3.4.5' is not an IPv4 address")]
    [InlineData("80/tcp", "10.1", "80", "'10.1' is not an IPv4 address")]
    [InlineData("80/tcp", "::1", "80", "IPv6 host address '::1' is not supported yet")]
    public void Bad_bindings_are_refused_with_the_reason(string key, string ip, string port, string message)
    {
        var e = Assert.Throws<EngineException>(() => From(key, ip, port));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(message, e.Message);
    }
}
