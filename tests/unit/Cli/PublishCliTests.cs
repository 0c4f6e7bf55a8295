using System.Text.Json;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

/// <summary><c>run/create -p</c>, <c>port</c> and the PORTS column: what is sent, printed and returned.</summary>
public class PublishCliTests
{
    private const string Id = "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
    private const string Created = $$"""{"Id":"{{Id}}","Warnings":[]}""";

    // As mydockerd answers inspect for `-p 8080:80 -p 127.0.0.1:9000-9001:90-91/udp -p 443 --expose 22` (Docker's shape:
    // an exposed port without a binding is null).
    private const string Inspect = """
        {"Id":"3f2a","Name":"/web","NetworkSettings":{"Ports":{
          "90/udp":[{"HostIp":"127.0.0.1","HostPort":"9000"}],
          "443/tcp":[{"HostIp":"0.0.0.0","HostPort":"32768"},{"HostIp":"::","HostPort":"32768"}],
          "80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}],
          "91/udp":[{"HostIp":"127.0.0.1","HostPort":"9001"}],
          "22/tcp":null}}}
        """;

    private static RunCommand.Plan Plan(params string[] args) =>
        RunCommand.BuildPlan(ArgParser.Parse(args, [.. RunCommand.Flags, .. MyDocker.Cli.CliApp.GlobalFlags], interspersed: false), _ => null);

    [Fact]
    public void RunPlanCarriesExposedPortsAndPortBindings()
    {
        var plan = Plan("-p", "8080:80", "--publish", "127.0.0.1:9000-9001:90-91/udp", "--publish=53/udp", "-p127.0.0.1::80", "busybox");
        var json = JsonSerializer.Serialize(plan.Request, ApiJsonContext.Default.ContainerCreateRequest);
        Assert.Equal(
            """
            {"Tty":false,"OpenStdin":false,"StdinOnce":false,"Image":"busybox","ExposedPorts":{"80/tcp":{},"90/udp":{},"91/udp":{},"53/udp":{}},"HostConfig":{"NetworkMode":"default","AutoRemove":false,"Memory":0,"MemorySwap":0,"NanoCpus":0,"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"},{"HostIp":"127.0.0.1","HostPort":""}],"90/udp":[{"HostIp":"127.0.0.1","HostPort":"9000"}],"91/udp":[{"HostIp":"127.0.0.1","HostPort":"9001"}],"53/udp":[{"HostIp":"","HostPort":""}]},"Privileged":false,"SecurityOpt":null,"CapAdd":null,"CapDrop":null,"PidsLimit":null}}
            """,
            json);
    }

    [Fact]
    public void WithoutPNoPortFieldsAreSent()
    {
        var json = JsonSerializer.Serialize(Plan("busybox").Request, ApiJsonContext.Default.ContainerCreateRequest);
        Assert.DoesNotContain("Port", json);
    }

    [Theory]
    [InlineData("80:", "-p '80:': container port is empty; give HOSTPORT:CONTAINERPORT such as 8080:80")]
    [InlineData("a:b", "-p 'a:b': container port 'b' is not a number")]
    [InlineData("0:80", "-p '0:80': host port 0 is not a port")]
    [InlineData("70000:80", "-p '70000:80': host port 70000 is out of range")]
    [InlineData("80:80/sctp", "-p '80:80/sctp': protocol sctp is not supported; use tcp or udp")]
    [InlineData("[::1]:80:80", "-p '[::1]:80:80': IPv6 host addresses are not supported yet")]
    [InlineData("", "-p '': the value is empty")]
    public async Task BadPublishIs125WithTheParsersMessageAndSendsNothing(string value, string message)
    {
        foreach (var verb in new[] { "run", "create" })
        {
            using var daemon = new FakeDaemon();
            var r = await CliRunner.RunAsync(daemon.Host, verb, "-p", "8080:80", "-p", value, "busybox");
            Assert.Equal(125, r.ExitCode);
            Assert.StartsWith("Error: " + message, r.Err);
            Assert.EndsWith($"See 'mydocker {verb} --help'.\n", r.Err);
            Assert.Empty(daemon.Requests);
        }
    }

    [Fact]
    public async Task RunSendsThePublishedPorts()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", Created).Answer(204, "No Content");
        var r = await CliRunner.RunAsync(daemon.Host, "run", "-d", "-p", "8080:80", "busybox");
        Assert.Equal(0, r.ExitCode);
        var body = daemon.Requests.First().Body;
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", body);
        Assert.Contains("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}", body);
    }

    [Fact]
    public async Task CreateSendsTheRequestAndPrintsTheIdWithoutStarting()
    {
        using var daemon = new FakeDaemon().Answer(201, "Created", Created);
        var r = await CliRunner.RunAsync(daemon.Host, "container", "create", "--name", "web", "--rm", "-p", "127.0.0.1::80", "busybox", "sleep", "9");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Id + "\n", r.Out);
        Assert.Equal(["POST /containers/create?name=web"], daemon.Lines);
        var body = daemon.Requests.First().Body;
        Assert.Contains("\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]}", body);
        Assert.Contains("\"AutoRemove\":true", body);
        Assert.Contains("\"Cmd\":[\"sleep\",\"9\"]", body);
    }

    [Fact]
    public async Task CreateHasNoDetachFlag()
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "create", "-d", "busybox");
        Assert.Equal(125, r.ExitCode);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task PortListsEveryBindingInNaturalOrder()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", Inspect);
        var r = await CliRunner.RunAsync(daemon.Host, "port", "web");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            "80/tcp -> 0.0.0.0:8080\n90/udp -> 127.0.0.1:9000\n91/udp -> 127.0.0.1:9001\n443/tcp -> 0.0.0.0:32768\n443/tcp -> [::]:32768\n",
            r.Out);
        Assert.Equal("", r.Err);
        Assert.Equal(["GET /containers/web/json"], daemon.Lines);
    }

    [Theory]
    [InlineData("80", "0.0.0.0:8080\n")]
    [InlineData("80/tcp", "0.0.0.0:8080\n")]
    [InlineData("90/udp", "127.0.0.1:9000\n")]
    [InlineData("443", "0.0.0.0:32768\n[::]:32768\n")]
    public async Task PortOfOnePrivatePortPrintsOnlyTheHostSides(string port, string expected)
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", Inspect);
        var r = await CliRunner.RunAsync(daemon.Host, "container", "port", "web", port);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected, r.Out);
    }

    [Theory]
    [InlineData("81", "81/tcp")]
    [InlineData("80/udp", "80/udp")]
    [InlineData("22", "22/tcp")] // exposed, not published
    public async Task PortNotPublishedIsAnErrorAsInDocker(string port, string key)
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", Inspect);
        var r = await CliRunner.RunAsync(daemon.Host, "port", "web", port);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal($"Error: no public port '{key}' published for web\n", r.Err);
    }

    [Fact]
    public async Task PortOfAContainerWithoutPortsPrintsNothing()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", """{"Id":"x","NetworkSettings":{"Ports":{}}}""");
        var r = await CliRunner.RunAsync(daemon.Host, "port", "x");
        Assert.Equal((0, "", ""), (r.ExitCode, r.Out, r.Err));
    }

    [Fact]
    public async Task PortOfAnUnknownContainerIsTheDaemonsError()
    {
        using var daemon = new FakeDaemon().Answer(404, "Not Found", """{"message":"No such container: nope"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "port", "nope");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: No such container: nope\n", r.Err);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("70000")]
    [InlineData("80/xyz")]
    public async Task PortWithABadPrivatePortIsAUsageErrorBeforeAnyRequest(string port)
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, "port", "web", port);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"Error: invalid port \"{port}\"", r.Err);
        Assert.Empty(daemon.Requests);
    }

    [Theory]
    [InlineData("80", "80/tcp")]
    [InlineData("080", "80/tcp")]
    [InlineData("53/UDP", "53/udp")]
    [InlineData("53/", "53/tcp")]
    public void PrivatePortKey(string value, string key) => Assert.Equal(key, PortCommand.ParsePrivatePort(value));

    [Fact]
    public void NaturalOrderComparesNumbersByValue()
    {
        var lines = new List<string> { "443/tcp -> x", "80/tcp -> x", "8080/tcp -> x", "80/tcp -> 0.0.0.0:9", "80/tcp -> 0.0.0.0:10", "080/tcp -> x", "b", "a", "1" };
        lines.Sort(NaturalOrder.Instance);
        Assert.Equal(["1", "80/tcp -> 0.0.0.0:9", "80/tcp -> 0.0.0.0:10", "80/tcp -> x", "080/tcp -> x", "443/tcp -> x", "8080/tcp -> x", "a", "b"], lines);
    }

    [Fact]
    public void HelpListsPortCreateAndThePublishFlag()
    {
        var root = Help.Root("mydocker", CommandTree.Groups, CommandTree.Commands, MyDocker.Cli.CliApp.GlobalFlags);
        Assert.Contains("  port        List port mappings or a specific mapping for the container\n", root);
        Assert.Contains("  create      Create a new container\n", root);
        var run = Help.Command("mydocker run", RunCommand.Spec, MyDocker.Cli.CliApp.GlobalFlags);
        Assert.Contains("-p, --publish list", run);
        Assert.Contains("Usage:  mydocker port CONTAINER [PRIVATE_PORT[/PROTO]]", Help.Command("mydocker port", PortCommand.Spec, MyDocker.Cli.CliApp.GlobalFlags));
    }
}
