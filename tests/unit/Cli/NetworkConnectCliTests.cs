using MyDocker.Cli;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;

namespace MyDocker.UnitTests.Cli;

/// <summary>`network connect/disconnect` and `run --network A --network B --network-alias` as the daemon receives them.</summary>
public class NetworkConnectCliTests
{
    [Fact]
    public async Task Connect_posts_dockers_body_with_the_address_and_every_alias()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", "");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "connect", "--ip", "10.1.0.9", "--alias", "db", "--alias", "cache", "app", "web");

        Assert.Equal((0, "", ""), (r.ExitCode, r.Out, r.Err));
        var request = Assert.Single(daemon.Requests);
        Assert.Equal(("POST", "/networks/app/connect"), (request.Method, request.Path));
        Assert.Contains("\"Container\":\"web\"", request.Body);
        Assert.Contains("\"IPAMConfig\":{\"IPv4Address\":\"10.1.0.9\"}", request.Body);
        Assert.Contains("\"Aliases\":[\"db\",\"cache\"]", request.Body);
    }

    [Fact]
    public async Task Disconnect_posts_force_and_prints_the_daemons_refusal()
    {
        using var daemon = new FakeDaemon().Answer(403, "Forbidden", """{"message":"container 'web' is not connected to network 'app'; see its networks with: mydocker inspect web"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "network", "disconnect", "-f", "app", "web");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("Error: container 'web' is not connected to network 'app'; see its networks with: mydocker inspect web\n", r.Err);
        var request = Assert.Single(daemon.Requests);
        Assert.Equal(("/networks/app/disconnect", """{"Container":"web","Force":true}"""), (request.Path, request.Body));
    }

    [Theory]
    [InlineData("connect", "app")]
    [InlineData("disconnect", "app")]
    [InlineData("connect", "app", "web", "extra")]
    public async Task Connect_and_disconnect_take_exactly_a_network_and_a_container(params string[] args)
    {
        using var daemon = new FakeDaemon();
        var r = await CliRunner.RunAsync(daemon.Host, ["network", .. args]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("requires exactly 2 arguments", r.Err);
        Assert.Empty(daemon.Requests);
    }

    private static RunCommand.Plan Run(params string[] args) =>
        RunCommand.BuildPlan(ArgParser.Parse(args, [.. RunCommand.Flags, .. CliApp.GlobalFlags], interspersed: false), _ => null);

    [Fact]
    public void Run_on_two_networks_sends_one_endpoint_each_the_first_with_the_address_and_aliases()
    {
        var plan = Run("--network", "app", "--net", "back", "--ip", "10.1.0.9", "--network-alias", "db", "busybox");

        Assert.Equal("app", plan.Request.HostConfig!.NetworkMode);
        var endpoints = plan.Request.NetworkingConfig!.EndpointsConfig!;
        Assert.Equal(["app", "back"], endpoints.Keys);
        Assert.Equal(("10.1.0.9", "db"), (endpoints["app"].IPAMConfig?.IPv4Address, string.Join(',', endpoints["app"].Aliases!)));
        Assert.Null(endpoints["back"].IPAMConfig);
        Assert.Null(endpoints["back"].Aliases);
    }

    [Theory]
    [InlineData("--network-alias needs --network NAME", "--network-alias", "db", "busybox")]
    [InlineData("each --network may be given once", "--network", "app", "--network", "app", "busybox")]
    public void Run_network_flags_that_do_not_fit_are_usage_errors(string message, params string[] args)
    {
        Assert.Contains(message, Assert.Throws<UsageException>(() => Run(args)).Message);
    }
}
