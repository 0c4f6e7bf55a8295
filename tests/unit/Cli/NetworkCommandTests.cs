using System.Text.Json;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

public class NetworkCommandTests
{
    private static NetworkCreateRequest Build(params string[] args) =>
        NetworkCommands.BuildCreateRequest(ArgParser.Parse(args, NetworkCommands.Create.Flags));

    private static string Json(NetworkCreateRequest request) =>
        JsonSerializer.Serialize(request, ApiJsonContext.Default.NetworkCreateRequest);

    [Fact]
    public void SeedFormBuildsDockersBody()
    {
        var request = Build("--driver", "bridge", "--subnet", "10.10.10.1/24", "testbr");
        // The host bits stay: the daemon turns 10.10.10.1/24 into subnet 10.10.10.0/24 + gateway 10.10.10.1.
        Assert.Equal(
            """{"Name":"testbr","Driver":"bridge","Internal":false,"Attachable":false,"EnableIPv6":false,"Ingress":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.10.10.1/24"}]}}""",
            Json(request));
    }

    [Fact]
    public void AllFlagsMapToTheirFields()
    {
        var request = Build("web", "-d", "bridge", "--subnet=10.1.0.0/16", "--gateway", "10.1.0.254", "--ip-range", "10.1.2.0/24",
            "-o", "bridge.name=br-web", "--opt", "com.docker.network.driver.mtu=1400", "--internal", "--label", "team=net", "--label", "flag");
        Assert.Equal("web", request.Name);
        Assert.True(request.Internal);
        var pool = Assert.Single(request.IPAM!.Config!);
        Assert.Equal(("10.1.0.0/16", "10.1.0.254", "10.1.2.0/24"), (pool.Subnet, pool.Gateway, pool.IPRange));
        Assert.Equal(new Dictionary<string, string>
        {
            ["com.docker.network.bridge.name"] = "br-web",
            ["com.docker.network.driver.mtu"] = "1400",
        }, request.Options);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "net", ["flag"] = "" }, request.Labels);
    }

    [Fact]
    public void WithoutSubnetTheIpamConfigIsEmptyAndDriverDefaultsToBridge()
    {
        var request = Build("plain");
        Assert.Equal("bridge", request.Driver);
        Assert.Equal("default", request.IPAM!.Driver);
        Assert.Empty(request.IPAM.Config!);
        Assert.Null(request.Options);
    }

    [Theory]
    [InlineData("invalid driver option \"novalue\": expected KEY=VALUE, e.g. -o bridge.name=br-web", "n", "-o", "novalue")]
    [InlineData("--gateway and --ip-range need a --subnet they belong to", "n", "--gateway", "10.0.0.1")]
    [InlineData("only one --subnet per network is supported", "n", "--subnet", "10.0.0.0/24", "--subnet", "10.0.1.0/24")]
    public void BadCombinationsAreUsageErrors(string message, params string[] args)
    {
        var e = Assert.Throws<UsageException>(() => Build(args));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void TableGolden()
    {
        var networks = new List<NetworkResource>
        {
            new()
            {
                Name = "testbr",
                Id = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a",
                Driver = "bridge",
                IPAM = new IpamConfigSection { Config = [new IpamPoolConfig { Subnet = "10.10.10.0/24", Gateway = "10.10.10.1" }] },
                Options = new Dictionary<string, string> { [NetworkCommands.BridgeNameOption] = "md-3f2a1b0c9d8e" },
            },
            new() { Name = "none", Id = "0123", Driver = "null" },
        };
        string expected =
            "NETWORK ID     NAME      DRIVER    SUBNET          GATEWAY      BRIDGE            SCOPE\n" +
            "3f2a1b0c9d8e   testbr    bridge    10.10.10.0/24   10.10.10.1   md-3f2a1b0c9d8e   local\n" +
            "0123           none      null      " + new string(' ', 16 + 13 + 18) + "local\n";
        Assert.Equal(expected, NetworkCommands.FormatTable(networks).ToString());
    }

    [Fact]
    public void EmptyTableIsTheHeaderOnly()
    {
        Assert.Equal("NETWORK ID   NAME      DRIVER    SUBNET    GATEWAY   BRIDGE    SCOPE\n",
            NetworkCommands.FormatTable([]).ToString());
    }
}

public class NetworkFilterTests
{
    [Fact]
    public void Repeated_filters_become_dockers_filters_json()
    {
        Assert.Null(MyDocker.Cli.Commands.NetworkCommands.BuildFilters([]));
        Assert.Equal("""{"name":["web","db"],"label":["tier=front"]}""",
            MyDocker.Cli.Commands.NetworkCommands.BuildFilters(["name=web", "name=db", "label=tier=front"]));
        Assert.Throws<MyDocker.Cli.Parsing.UsageException>(() => MyDocker.Cli.Commands.NetworkCommands.BuildFilters(["web"]));
    }
}
