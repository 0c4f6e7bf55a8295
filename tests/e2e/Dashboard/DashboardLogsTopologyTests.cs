using Microsoft.Playwright;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// The log viewer and the topology page in Debian's Chromium against the real daemon in a throw-away netns (the browser
/// runs in the daemon's netns through a wrapper: <see cref="DashboardBrowserTest"/>). Screenshots: screenshots/logs.png,
/// screenshots/topology.png.
/// </summary>
public sealed class DashboardLogsTopologyTests() : DashboardBrowserTest("dashlog", 7486)
{
    [Fact]
    public async Task Logs_stream_into_an_open_page_download_whole_and_the_topology_shows_the_container_and_its_ports()
    {
        D.WithBusybox();
        D.CliOk("network", "create", "--subnet", "10.88.0.0/24", "lognet");
        D.RunDetached("--name", "ticker", "--network", "lognet", "-p", "18099:80", "busybox", "sh", "-c",
            "i=0; while true; do echo line $i; if [ $((i % 10)) -eq 0 ]; then printf '\\033[31mwarn <b>%s</b>\\033[0m\\n' $i >&2; fi; i=$((i+1)); sleep 0.1; done");
        D.RunDetached("--name", "webby", "--network", "lognet", "-p", "127.0.0.1:18100:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/");

        var context = await Browser.NewContextAsync(new() { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        var refused = CspRefusals(page);
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");

        // Logs: lines keep arriving in the open page without reloading.
        await page.GotoAsync(DashboardUrl("/containers/ticker/logs"));
        var log = page.GetByRole(AriaRole.Log, new() { Name = "Log of ticker" });
        await Assertions.Expect(log).ToContainTextAsync("line 3");
        await Assertions.Expect(page.GetByTestId("log-status")).ToContainTextAsync("following");
        string first = await LastLineAsync(page);
        int firstN = int.Parse(first["line ".Length..]);
        await Assertions.Expect(log).ToContainTextAsync($"line {firstN + 15}", new() { Timeout = 15_000 });
        // stderr carries a tag, its ANSI red is a class, and the <b> it printed stays text.
        var warn = log.Locator(".log-row.log-err").First;
        await Assertions.Expect(warn.Locator(".log-tag")).ToHaveTextAsync("stderr");
        await Assertions.Expect(warn.Locator(".ansi-fg-1")).ToContainTextAsync("warn <b>");
        Assert.Equal(0, await log.Locator(".log-text b").CountAsync());

        // Search: matches are marked and next moves to one.
        await page.GetByLabel("Search").FillAsync("warn");
        await Assertions.Expect(page.GetByTestId("log-matches")).ToContainTextAsync("matches");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next match" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("log-matches")).ToContainTextAsync("1 /");
        await Assertions.Expect(log.Locator(".log-current mark")).ToHaveTextAsync("warn");
        await page.GetByLabel("Stream").SelectOptionAsync("Stderr");
        await Assertions.Expect(log.Locator(".log-row").First).ToContainTextAsync("warn");
        await Assertions.Expect(log.Locator(".log-row:not(.log-err)")).ToHaveCountAsync(0);
        await page.GetByLabel("Stream").SelectOptionAsync("Both");
        await page.GetByLabel("Timestamps").CheckAsync();
        await Assertions.Expect(log.Locator(".log-ts").First).ToContainTextAsync(DateTime.UtcNow.ToString("yyyy-MM-dd"));
        await Shot(page, "logs.png");

        // Download: the whole log from the server, with times and stream tags.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("log-download").ClickAsync());
        Assert.Equal("ticker.log", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z stdout line 0\n", text);
        Assert.Contains(" stderr \u001b[31mwarn <b>0</b>\u001b[0m\n", text);
        Assert.Contains($" stdout line {firstN + 15}\n", text);
        // Refused without the session cookie, like every other dashboard request.
        using (var http = DashboardHttp.Create(D.Netns, DashboardAccessTests.LoginUrl(D)))
        {
            var r = await http.GetAsync("/dashboard/containers/ticker/logs/download");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, r.StatusCode);
        }

        // Topology: the network, both containers and their ports; probing tells a listening port from a silent one.
        await page.GetByRole(AriaRole.Link, new() { Name = "Topology" }).ClickAsync();
        var net = page.GetByRole(AriaRole.Region, new() { Name = "Network lognet" });
        await Assertions.Expect(net).ToContainTextAsync("10.88.0.0/24 · gateway 10.88.0.1");
        await Assertions.Expect(net).ToContainTextAsync("bridge " + D.InspectNetworkBridge("lognet"));
        var ticker = net.GetByTestId("topology-container").Filter(new() { HasText = "ticker" });
        await Assertions.Expect(ticker).ToContainTextAsync("running");
        await Assertions.Expect(ticker).ToContainTextAsync(D.IpOf("ticker"));
        await Assertions.Expect(ticker).ToContainTextAsync("0.0.0.0:18099 → 80/tcp");
        await page.GetByRole(AriaRole.Button, new() { Name = "Probe 127.0.0.1:18100 to webby port 80/tcp" }).ClickAsync();
        await Assertions.Expect(net.GetByTestId("topology-container").Filter(new() { HasText = "webby" }).GetByTestId("probe-result")).ToHaveTextAsync("answers");
        await page.GetByRole(AriaRole.Button, new() { Name = "Probe 0.0.0.0:18099 to ticker port 80/tcp" }).ClickAsync();
        await Assertions.Expect(ticker.GetByTestId("probe-result")).ToHaveTextAsync("no answer");
        await Shot(page, "topology.png");

        // Live: a stop from the CLI shows without reloading. A container links to its page (the container pages are
        // another branch's: only the link is checked here).
        D.CliOk("stop", "-t", "1", "ticker");
        await Assertions.Expect(ticker).ToContainTextAsync("exited");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Container webby" })).ToHaveAttributeAsync("href", "/containers/webby");
        lock (refused) Assert.Empty(refused);
    }

    private static async Task<string> LastLineAsync(IPage page)
    {
        var rows = page.Locator("[data-testid=log-lines] .log-row:not(.log-err) .log-text");
        return (await rows.Last.TextContentAsync())!.Trim();
    }

    public override async Task DisposeAsync()
    {
        await CloseBrowserAsync();
        try { D.Cli("rm", "-f", "ticker", "webby"); }
        finally { await base.DisposeAsync(); }
    }
}
