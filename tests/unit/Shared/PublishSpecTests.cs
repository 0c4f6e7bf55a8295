using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.UnitTests.Shared;

/// <summary><c>-p</c> values → port requests, with go-connections' semantics.</summary>
public class PublishSpecTests
{
    private static string Show(IEnumerable<PortRequest> ps) =>
        string.Join(" | ", ps.Select(p => $"{p.PortKey} {p.HostIp}:{p.HostPort}"));

    [Theory]
    [InlineData("80", "80/tcp :")]
    [InlineData("8080:80", "80/tcp :8080")]
    [InlineData("8080:80/tcp", "80/tcp :8080")]
    [InlineData("53:53/udp", "53/udp :53")]
    [InlineData("53:53/UDP", "53/udp :53")]
    [InlineData("80/", "80/tcp :")]
    [InlineData(":80", "80/tcp :")]
    [InlineData("127.0.0.1::80", "80/tcp 127.0.0.1:")]
    [InlineData("127.0.0.1:8080:80", "80/tcp 127.0.0.1:8080")]
    [InlineData("0.0.0.0:8080:80/udp", "80/udp 0.0.0.0:8080")]
    [InlineData("08080:080", "80/tcp :8080")]
    [InlineData("65535:1", "1/tcp :65535")]
    [InlineData("8000-8010:80", "80/tcp :8000-8010")]
    [InlineData("8000-8002:80-82", "80/tcp :8000 | 81/tcp :8001 | 82/tcp :8002")]
    [InlineData("127.0.0.1:9000-9001:90-91/udp", "90/udp 127.0.0.1:9000 | 91/udp 127.0.0.1:9001")]
    [InlineData("80-82", "80/tcp : | 81/tcp : | 82/tcp :")]
    [InlineData("127.0.0.1::80-81", "80/tcp 127.0.0.1: | 81/tcp 127.0.0.1:")]
    [InlineData("8080-8080:80-80", "80/tcp :8080")]
    [InlineData("65534-65535:65534-65535", "65534/tcp :65534 | 65535/tcp :65535")]
    public void GoodValues(string value, string expected) => Assert.Equal(expected, Show(PublishSpec.Parse(value)));

    [Fact]
    public void PublicationFields()
    {
        var p = Assert.Single(PublishSpec.Parse("10.0.0.1:8000-8010:80/udp"));
        Assert.Equal(new PortRequest("udp", "10.0.0.1", 8000, 8010, 80), p);
        Assert.Equal("8000-8010", p.HostPort);
        Assert.Equal("80/udp", p.PortKey);
        var picked = Assert.Single(PublishSpec.Parse("80"));
        Assert.Equal((0, 0, ""), (picked.HostPortFirst, picked.HostPortLast, picked.HostPort));
    }

    [Theory]
    [InlineData("", "-p '': the value is empty; give [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO] such as 8080:80, 127.0.0.1:8080:80 or 53:53/udp")]
    [InlineData("  ", "-p '  ': the value is empty;")]
    [InlineData("80:", "-p '80:': container port is empty; give HOSTPORT:CONTAINERPORT such as 8080:80")]
    [InlineData("/udp", "-p '/udp': container port is empty;")]
    [InlineData("a:b", "-p 'a:b': container port 'b' is not a number; give a port 1-65535 or a range such as 8000-8010")]
    [InlineData("a:80", "-p 'a:80': host port 'a' is not a number;")]
    [InlineData(" 80", "-p ' 80': container port ' 80' is not a number;")]
    [InlineData("+80", "-p '+80': container port '+80' is not a number;")]
    [InlineData("0:80", "-p '0:80': host port 0 is not a port; ports go from 1 to 65535 (leave the host port out, as in -p 80, to let the engine pick a free one)")]
    [InlineData("80:0", "-p '80:0': container port 0 is not a port; ports go from 1 to 65535")]
    [InlineData("70000:80", "-p '70000:80': host port 70000 is out of range; ports go from 1 to 65535")]
    [InlineData("80:99999999999999999999", "-p '80:99999999999999999999': container port 99999999999999999999 is out of range;")]
    [InlineData("80:80/sctpx", "-p '80:80/sctpx': unknown protocol 'sctpx'; use tcp or udp")]
    [InlineData("80:80/sctp", "-p '80:80/sctp': protocol sctp is not supported; use tcp or udp")]
    [InlineData("80/tcp/udp", "-p '80/tcp/udp': unknown protocol 'tcp/udp'; use tcp or udp")]
    [InlineData("8080/udp:80", "-p '8080/udp:80': host port '8080/udp' has a protocol; put it after the container port, as in 8080:80/udp")]
    [InlineData("1.2.3.4.5:80:80", "-p '1.2.3.4.5:80:80': host IP '1.2.3.4.5' is not an IPv4 address; give four numbers 0-255 such as 127.0.0.1, or leave it out to listen on every address")]
    [InlineData("256.0.0.1:80:80", "-p '256.0.0.1:80:80': host IP '256.0.0.1' is not an IPv4 address;")]
    [InlineData("localhost:80:80", "-p 'localhost:80:80': host IP 'localhost' is not an IPv4 address;")]
    [InlineData("127.0.0.1:80", "-p '127.0.0.1:80': '127.0.0.1' is an address, not a port; write 127.0.0.1::80 to let the engine pick the host port, or 127.0.0.1:HOSTPORT:80")]
    [InlineData("[::1]:80:80", "-p '[::1]:80:80': IPv6 host addresses are not supported yet; give an IPv4 address such as 127.0.0.1, or none")]
    [InlineData("::1:80:80", "-p '::1:80:80': IPv6 host addresses are not supported yet;")]
    [InlineData("fe80::1:8080:80", "-p 'fe80::1:8080:80': IPv6 host addresses are not supported yet;")]
    [InlineData("1:2:3:4", "-p '1:2:3:4': too many ':'; give [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]")]
    [InlineData("a:b:c:d:e", "-p 'a:b:c:d:e': too many ':';")]
    [InlineData("90-80:80", "-p '90-80:80': host port range 90-80 is inverted; write the lower port first, as in 80-90")]
    [InlineData("80:90-80", "-p '80:90-80': container port range 90-80 is inverted;")]
    [InlineData("8000-8002:80-81", "-p '8000-8002:80-81': host range 8000-8002 has 3 ports but container range 80-81 has 2; give ranges of the same length, or one container port to let the engine pick within the host range")]
    [InlineData("8000:80-81", "-p '8000:80-81': host range 8000 has 1 port but container range 80-81 has 2;")]
    [InlineData("65530-65540:80-90", "-p '65530-65540:80-90': host port range 65530-65540 goes beyond 65535; ports go from 1 to 65535")]
    [InlineData("80-90:65530-65540", "-p '80-90:65530-65540': container port range 65530-65540 goes beyond 65535;")]
    [InlineData("0-10:80-90", "-p '0-10:80-90': host port 0 is not a port;")]
    [InlineData("80-", "-p '80-': container port '80-' is not a port or a range; give a port 1-65535 or a range such as 8000-8010")]
    [InlineData("-80", "-p '-80': container port '-80' is not a port or a range;")]
    [InlineData("80-90-100", "-p '80-90-100': container port '80-90-100' is not a port or a range;")]
    [InlineData("8a-90", "-p '8a-90': container port '8a-90' is not a number;")]
    public void BadValuesAreRefusedWithTheValueAndTheFix(string value, string messageStart)
    {
        var e = Assert.Throws<FormatException>(() => PublishSpec.Parse(value));
        Assert.StartsWith(messageStart, e.Message);
    }

    [Theory]
    [InlineData("0.0.0.0", "8080", "80/tcp -> 0.0.0.0:8080")]
    [InlineData("::", "8080", "80/tcp -> [::]:8080")]
    [InlineData("127.0.0.1", "32768", "80/tcp -> 127.0.0.1:32768")]
    [InlineData("", "8080", "80/tcp -> :8080")]
    [InlineData(null, null, "80/tcp -> :")]
    public void FormatIsDockerPorts(string? ip, string? port, string expected) =>
        Assert.Equal(expected, PublishSpec.Format("80/tcp", new PortBinding { HostIp = ip, HostPort = port }));
}
