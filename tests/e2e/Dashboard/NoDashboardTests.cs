using System.Net.Http;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

public sealed class NoDashboardTests
{
    [Fact]
    public async Task No_dashboard_means_no_tcp_listener_and_no_login_url()
    {
        using var d = new DaemonUnderTest("nodash", start: false);
        d.ExtraArgs.Add("--no-dashboard");
        d.Start();
        Assert.Empty(d.LogLines("Dashboard: "));
        Assert.Equal("", d.Netns.Exec("ss", "-Hltn"));
        using var http = DashboardHttp.Create(d.Netns, "http://127.0.0.1:7480");
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/"));
        using var unix = d.Http();
        Assert.True((await unix.GetAsync("/_ping")).IsSuccessStatusCode);
        var login = d.Cli("dashboard");
        Assert.Equal(1, login.ExitCode);
        Assert.Contains("the dashboard is turned off in this daemon (--no-dashboard", login.Stderr);
    }
}
