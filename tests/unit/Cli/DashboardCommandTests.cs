namespace MyDocker.UnitTests.Cli;

/// <summary><c>mydocker dashboard</c> against a fake daemon.</summary>
public class DashboardCommandTests
{
    private const string Login = """{"Url":"http://mydocker-0123456789abcdef0123.localhost:7480/login?token=abc","ExpiresAt":"2030-01-01T10:10:00+00:00"}""";

    [Fact]
    public async Task It_prints_a_new_login_url_alone_on_stdout()
    {
        using var daemon = new FakeDaemon().Answer(200, "OK", Login);
        var r = await CliRunner.RunAsync(daemon.Host, "dashboard");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("http://mydocker-0123456789abcdef0123.localhost:7480/login?token=abc\n", r.Out);
        Assert.Contains("It works once, until 10:10:00 UTC", r.Err);
        Assert.Equal(["POST /mydocker/v1/dashboard/login"], daemon.Requests.Select(q => $"{q.Method} {q.Path}"));
    }

    [Fact]
    public async Task Revoke_all_ends_every_session_first()
    {
        using var daemon = new FakeDaemon().Answer(204, "No Content").Answer(200, "OK", Login);
        var r = await CliRunner.RunAsync(daemon.Host, "dashboard", "--revoke-all");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Every dashboard session has ended", r.Err);
        Assert.Equal(["DELETE /mydocker/v1/dashboard/sessions", "POST /mydocker/v1/dashboard/login"], daemon.Requests.Select(q => $"{q.Method} {q.Path}"));
    }

    [Fact]
    public async Task A_daemon_without_dashboard_says_so()
    {
        using var daemon = new FakeDaemon().Answer(503, "Service Unavailable", """{"message":"the dashboard is turned off in this daemon"}""");
        var r = await CliRunner.RunAsync(daemon.Host, "dashboard");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the dashboard is turned off", r.Err);
        Assert.Equal("", r.Out);
    }
}
