using System.Text;
using MyDocker.Cli;
using MyDocker.Cli.Commands;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

public class ErrorFormattingTests
{
    private static string Message(int status, string reason, string body) =>
        DaemonClient.ErrorMessage(status, reason, HttpMethod.Post, "/networks/create", Encoding.UTF8.GetBytes(body));

    [Fact]
    public void DockerErrorBodyGivesItsMessage() =>
        Assert.Equal("network with name testbr already exists", Message(409, "Conflict", """{"message":"network with name testbr already exists"}"""));

    [Fact]
    public void NonJsonBodyGivesStatusLineAndText() =>
        Assert.Equal("the daemon answered 502 Bad Gateway to POST /networks/create: upstream down", Message(502, "Bad Gateway", "upstream down\n"));

    [Fact]
    public void EmptyBodyGivesStatusLine() =>
        Assert.Equal("the daemon answered 404 Not Found to POST /networks/create", Message(404, "Not Found", ""));

    [Fact]
    public void JsonWithoutMessageGivesTheText() =>
        Assert.Equal("the daemon answered 500 Internal Server Error to POST /networks/create: {\"error\":\"x\"}",
            Message(500, "Internal Server Error", """{"error":"x"}"""));

    [Fact]
    public async Task UnknownCommandNamesItAndPointsToHelp()
    {
        var r = await CliRunner.RunAsync(null, "frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("Error: unknown command \"frobnicate\" for \"mydocker\"\nSee 'mydocker --help'.\n", r.Err);
    }

    [Fact]
    public async Task UnknownSubcommandPointsToTheGroupsHelp()
    {
        var r = await CliRunner.RunAsync(null, "network", "frob");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("Error: unknown command \"frob\" for \"mydocker network\"\nSee 'mydocker network --help'.\n", r.Err);
    }

    [Fact]
    public async Task UnknownFlagPointsToTheCommandsHelp()
    {
        var r = await CliRunner.RunAsync(null, "network", "create", "--colour", "red", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("Error: unknown flag: --colour\nSee 'mydocker network create --help'.\n", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task WrongArgumentCountIsAUsageError()
    {
        var r = await CliRunner.RunAsync(null, "network", "create", "a", "b");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("Error: \"mydocker network create\" requires exactly 1 argument\nSee 'mydocker network create --help'.\n", r.Err);
    }

    [Fact]
    public async Task HelpNeedsNoDaemon()
    {
        var root = await CliRunner.RunAsync("unix:///nonexistent/x.sock", "--help");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains("network     Manage networks", root.Out);
        var create = await CliRunner.RunAsync("unix:///nonexistent/x.sock", "network", "create", "--help");
        Assert.Equal(0, create.ExitCode);
        Assert.Contains("Usage:  mydocker network create [OPTIONS] NETWORK", create.Out);
        Assert.Contains("-o, --opt map", create.Out);
        var ls = await CliRunner.RunAsync(null, "help", "network", "ls");
        Assert.Contains("mydocker network ls, mydocker network list", ls.Out);
    }

    [Fact]
    public void ReconcileReportLines()
    {
        var report = new ReconcileReport
        {
            Repaired = ["bridge md-1a2b3c4d5e6f for network web"],
            Removed = ["veth mdv-0001 (no endpoint owns it)"],
            Errors = ["nft table mydocker: permission denied"],
        };
        Assert.Equal(
            "repaired: bridge md-1a2b3c4d5e6f for network web\n" +
            "removed:  veth mdv-0001 (no endpoint owns it)\n" +
            "failed:   nft table mydocker: permission denied\n" +
            "1 repaired, 1 removed, 1 failed\n",
            SystemCommands.FormatReconcile(report));
        Assert.Equal("Nothing to reconcile: the kernel matches the recorded state.\n", SystemCommands.FormatReconcile(new ReconcileReport()));
    }
}
