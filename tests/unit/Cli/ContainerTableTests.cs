using MyDocker.Cli.Output;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

public class ContainerTableTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void TableGoldenWithARunningAndAnExitedContainer()
    {
        var containers = new List<ContainerSummary>
        {
            new()
            {
                Id = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a",
                Names = ["/web"],
                Image = "busybox",
                Command = "sleep 1000",
                Created = Now.ToUnixTimeSeconds() - 5,
                State = "running",
                Status = "Up 4 seconds",
                NetworkSettings = new SummaryNetworkSettings
                {
                    Networks = new() { ["testbr"] = new EndpointSettings { IPAddress = "10.10.10.2" } },
                },
            },
            new()
            {
                Id = "0123456789abcdef",
                Names = ["/db"],
                Image = "busybox",
                Command = "sh -c 'echo \"hello world\"; exit 3'",
                Created = Now.ToUnixTimeSeconds() - 7200,
                State = "exited",
                Status = "Exited (3) About an hour ago",
                Ports = [new PortSummary { PrivatePort = 80, Type = "tcp" }],
                NetworkSettings = new SummaryNetworkSettings
                {
                    Networks = new()
                    {
                        ["zeta"] = new EndpointSettings { IPAddress = "10.20.0.3" },
                        ["alpha"] = new EndpointSettings { IPAddress = "10.30.0.4" },
                    },
                },
            },
        };
        // Widths: each column is its widest cell + 3 (at least 10); COMMAND is cut to 19 characters + "…", then quoted.
        static string Row(string id, string name, string command, string created, string status, string ports, string ip) =>
            (id.PadRight(15) + name.PadRight(10) + "busybox".PadRight(10) + command.PadRight(26) + created.PadRight(16)
             + status.PadRight(31) + ports.PadRight(10) + ip).TrimEnd() + "\n";
        Assert.Equal(
            ("CONTAINER ID".PadRight(15) + "NAME".PadRight(10) + "IMAGE".PadRight(10) + "COMMAND".PadRight(26) + "CREATED".PadRight(16)
             + "STATUS".PadRight(31) + "PORTS".PadRight(10) + "IP\n") +
            Row("3f2a1b0c9d8e", "web", "\"sleep 1000\"", "5 seconds ago", "Up 4 seconds", "", "10.10.10.2") +
            Row("0123456789ab", "db", "\"sh -c 'echo \\\"hello …\"", "2 hours ago", "Exited (3) About an hour ago", "80/tcp", "10.30.0.4,10.20.0.3"),
            ContainerTable.Format(containers, noTrunc: false, Now).ToString());
    }

    [Fact]
    public void NoTruncKeepsTheWholeIdAndCommand()
    {
        var c = new ContainerSummary { Id = new string('a', 64), Names = ["/x"], Command = "a very long command line indeed", Created = Now.ToUnixTimeSeconds() };
        string row = ContainerTable.Format([c], noTrunc: true, Now).ToString().Split('\n')[1];
        Assert.StartsWith(new string('a', 64) + "   x ", row);
        Assert.Contains("\"a very long command line indeed\"   Less than a second ago", row);
    }

    [Fact]
    public void EmptyTableIsTheHeaderOnly() =>
        Assert.Equal("CONTAINER ID   NAME      IMAGE     COMMAND   CREATED   STATUS    PORTS     IP\n",
            ContainerTable.Format([], noTrunc: false, Now).ToString());

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(119, "About a minute")]
    [InlineData(120, "2 minutes")]
    [InlineData(3599, "59 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5400, "2 hours")]
    [InlineData(47 * 3600, "47 hours")]
    [InlineData(48 * 3600, "2 days")]
    [InlineData(14 * 86400, "2 weeks")]
    [InlineData(60 * 86400, "2 months")]
    [InlineData(800 * 86400, "2 years")]
    public void HumanDurationIsGoUnits(double seconds, string expected) =>
        Assert.Equal(expected, ContainerTable.HumanDuration(TimeSpan.FromSeconds(seconds)));

    private static PortSummary P(int privatePort, string type = "tcp", string? ip = null, int? publicPort = null) =>
        new() { PrivatePort = privatePort, Type = type, IP = ip, PublicPort = publicPort };

    // Expected strings are what the docker CLI's DisplayablePorts prints for the same list (docker/cli
    // cli/command/formatter/container.go): it merges consecutive ports only when unpublished or published on the same
    // number, and puts remapped ports last.
    public static TheoryData<PortSummary[], string> DockerPortsCells => new()
    {
        { [], "" },
        { [P(80)], "80/tcp" },
        { [P(80, ip: "0.0.0.0", publicPort: 8080)], "0.0.0.0:8080->80/tcp" },
        { [P(443), P(80, ip: "0.0.0.0", publicPort: 8080)], "443/tcp, 0.0.0.0:8080->80/tcp" },
        // A public port without an address: published on every address.
        { [P(443), P(80, publicPort: 8080)], "443/tcp, 0.0.0.0:8080->80/tcp" },
        { [P(91, "udp", "127.0.0.1", 9001), P(80, ip: "0.0.0.0", publicPort: 8080), P(90, "udp", "127.0.0.1", 9000)],
          "0.0.0.0:8080->80/tcp, 127.0.0.1:9000->90/udp, 127.0.0.1:9001->91/udp" },
        { [P(8001, ip: "0.0.0.0", publicPort: 8001), P(8000, ip: "0.0.0.0", publicPort: 8000), P(8002, ip: "0.0.0.0", publicPort: 8002)],
          "0.0.0.0:8000-8002->8000-8002/tcp" },
        { [P(80), P(81), P(82), P(53, "udp")], "53/udp, 80-82/tcp" },
        // A gap closes the tcp run at once; the runs still open follow in the order they were opened.
        { [P(53, "udp"), P(80), P(443)], "80/tcp, 53/udp, 443/tcp" },
        { [P(80, ip: "0.0.0.0", publicPort: 80), P(80, ip: "::", publicPort: 80), P(81, ip: "0.0.0.0", publicPort: 81), P(81, ip: "::", publicPort: 81)],
          "0.0.0.0:80-81->80-81/tcp, [::]:80-81->80-81/tcp" },
        { [P(80, ip: "::", publicPort: 8080), P(80, ip: "0.0.0.0", publicPort: 8080)], "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" },
        { [P(53, "udp", "0.0.0.0", 53), P(53, "tcp", "0.0.0.0", 53)], "0.0.0.0:53->53/tcp, 0.0.0.0:53->53/udp" },
    };

    [Theory]
    [MemberData(nameof(DockerPortsCells))]
    public void PortsCellIsTheDockerClis(PortSummary[] ports, string expected) => Assert.Equal(expected, ContainerTable.Ports(ports));

    [Fact]
    public void PortsCellOfNoListIsEmpty() => Assert.Equal("", ContainerTable.Ports(null));

    [Theory]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("bell\u0007", "\"bell\\x07\"")]
    public void QuoteEscapesLikeGo(string text, string expected) => Assert.Equal(expected, ContainerTable.Quote(text));

    [Fact]
    public void EllipsisCutsToTheWidthIncludingTheEllipsis()
    {
        Assert.Equal("12345678901234567890", ContainerTable.Ellipsis("12345678901234567890", 20));
        Assert.Equal("1234567890123456789…", ContainerTable.Ellipsis("123456789012345678901", 20));
    }
}
