using MyDocker.Cli.Commands;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Cli;

/// <summary><c>mydocker system doctor</c> against a fake daemon, and the daemon's mapping of blockers to findings.</summary>
public class DoctorCommandTests
{
    private const string Blocked = """
        {"Findings":[{"Severity":"error","Object":"nftables chain ip filter FORWARD (hook forward, priority 0)",
          "Problem":"This chain's policy is DROP.","Fix":"Run 'mydocker system reconcile'."},
          {"Severity":"warning","Object":"nftables chain inet other fw (hook forward, priority 10)","Problem":"may drop","Fix":"allow it"}]}
        """;

    [Fact]
    public async Task A_blocking_finding_is_printed_in_plain_words_and_exits_1()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", Blocked);
        var r = await CliRunner.RunAsync(daemon.Host, "system", "doctor");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error:   nftables chain ip filter FORWARD (hook forward, priority 0)\n" +
            "  problem: This chain's policy is DROP.\n" +
            "  fix:     Run 'mydocker system reconcile'.\n" +
            "warning: nftables chain inet other fw (hook forward, priority 10)\n" +
            "  problem: may drop\n" +
            "  fix:     allow it\n" +
            "1 error(s), 1 warning(s).\n", r.Out);
        Assert.Equal("GET /mydocker/v1/system/doctor", daemon.Requests.Select(q => $"{q.Method} {q.Path}").Single());
    }

    [Fact]
    public async Task Nothing_blocking_exits_0_and_warnings_alone_do_not_fail()
    {
        using (var daemon = new FakeDaemon().Answer(200, "OK", """{"Findings":[]}"""))
        {
            var r = await CliRunner.RunAsync(daemon.Host, "system", "doctor");
            Assert.Equal(0, r.ExitCode);
            Assert.Equal("Nothing outside MyDocker blocks its networks' traffic.\n", r.Out);
        }
        using (var daemon = new FakeDaemon().Answer(200, "OK", """{"Findings":[{"Severity":"warning","Object":"o","Problem":"p","Fix":"f"}]}"""))
            Assert.Equal(0, (await CliRunner.RunAsync(daemon.Host, "system", "doctor")).ExitCode);
    }

    [Fact]
    public void Blockers_become_findings_errors_first_naming_networks()
    {
        var names = new Dictionary<string, string> { ["md-a"] = "web" };
        ForeignBlocker[] blockers =
        [
            new("ip", "filter", "DOCKER-FORWARD", "forward", 0, "rule 'tcp dport 25 drop'", false, "fix it") { Via = "FORWARD", Handle = 9, Bridges = ["md-a"], Certain = false },
            new("ip", "filter", "FORWARD", "forward", 0, "policy drop", true, "nothing") { Bridges = ["md-a"] },
            new("inet", "other", "fw", "forward", 10, "policy drop", false, "nft insert rule ...") { Bridges = ["md-a", "md-b"] },
        ];
        var report = SystemEndpoints.Doctor(blockers, names);
        Assert.Equal([DoctorFinding.Error, DoctorFinding.Warning, DoctorFinding.Info], report.Findings.Select(f => f.Severity));

        var policy = report.Findings[0];
        Assert.Equal("nftables chain inet other fw (hook forward, priority 10)", policy.Object);
        Assert.Contains("policy is DROP", policy.Problem);
        Assert.Contains("'web' (bridge md-a), bridge md-b", policy.Problem);
        Assert.Equal("nft insert rule ...", policy.Fix);

        Assert.Equal("The rule 'tcp dport 25 drop' (handle 9) in chain DOCKER-FORWARD, reached from FORWARD may drop forwarded traffic of network(s) 'web' (bridge md-a).",
            report.Findings[1].Problem);
        Assert.EndsWith("so its traffic passes.", report.Findings[2].Problem);
    }
}
