using System.Net;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>MyDocker:Dashboard:Address: loopback unless configured, and then only the one address named.</summary>
public sealed class DashboardAddressTests
{
    private const int Port = 7483;
    private const string LanAddress = "198.51.100.7"; // TEST-NET-2, on a dummy device inside the daemon's netns

    [Fact]
    public async Task A_configured_address_is_the_only_one_listened_on_and_answered_to()
    {
        using var d = new DaemonUnderTest("dashaddr", start: false);
        d.Netns.Exec("ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"); // no dummy module here
        d.Netns.Exec("ip", "addr", "add", LanAddress + "/24", "dev", "lan0");
        d.Netns.Exec("ip", "link", "set", "lan0", "up");
        d.ExtraArgs.AddRange(["--dashboard-port", Port.ToString()]);
        d.ExtraEnv["MYDOCKER_MyDocker__Dashboard__Address"] = LanAddress;
        d.Start();

        string url = DashboardAccessTests.LoginUrl(d);
        Assert.Matches($"^http://198\\.51\\.100\\.7:{Port}/login\\?token=", url);
        Assert.Contains("reachable from other machines over plain HTTP", d.Logs);
        Assert.Equal($"{LanAddress}:{Port}", Assert.Single(d.Netns.Exec("ss", "-Hltn").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);

        using var http = DashboardHttp.Create(d.Netns, url, IPAddress.Parse(LanAddress));
        var login = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        string cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/networks"))
        {
            req.Headers.Add("Cookie", cookie);
            var page = await http.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains($"ws://{LanAddress}:{Port}", string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        }
        // Reached at the configured address but asked for another name (DNS rebinding): refused.
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/networks"))
        {
            req.Headers.Add("Cookie", cookie);
            req.Headers.Host = $"localhost:{Port}";
            Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(req)).StatusCode);
        }
        using var loopback = DashboardHttp.Create(d.Netns, $"http://127.0.0.1:{Port}");
        await Assert.ThrowsAsync<HttpRequestException>(() => loopback.GetAsync("/"));
    }

    [Theory]
    [InlineData("0.0.0.0", "would listen on every address")]
    [InlineData("dashboard.example", "is not an IP address")]
    [InlineData("203.0.113.9", "is not an address of this host")]
    public void A_bad_address_stops_the_daemon_with_a_clear_message(string address, string expected)
    {
        using var d = new DaemonUnderTest("dashbad", start: false);
        d.ExtraEnv["MYDOCKER_MyDocker__Dashboard__Address"] = address;
        d.Start(waitReady: false);
        Assert.NotEqual(0, d.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains(expected, d.Logs);
        Assert.Contains("MyDocker:Dashboard:Address", d.Logs);
    }
}
