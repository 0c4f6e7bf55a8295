using Microsoft.Playwright;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>
/// H4 and L5 in Debian's Chromium, in the daemon's netns (<see cref="DashboardBrowserTest"/>): the dashboard's cookie
/// never reaches a container's web server opened from it, even one that tries to get it; <c>mydocker dashboard</c> logs a
/// browser in at any time; logout and <c>--revoke-all</c> close the pages of the sessions they end.
/// </summary>
public sealed class DashboardSessionBrowserTests() : DashboardBrowserTest("dashs", 7487)
{
    private const string CookieName = "mydocker_session_7487";
    private const int RecorderPort = 18400;

    /// <summary>
    /// A web server in a container that appends every request's head to requests.log in a host directory mounted at /rec:
    /// busybox nc runs rec.sh per connection. /bounce plays a hostile page: it sends the browser to the well-known
    /// dashboard name at the recorder's own port, where /step1 fetches /step2 — a same-origin request, which would carry
    /// a cookie set for that name (cookies ignore ports), whichever port the dashboard is on.
    /// </summary>
    private string StartRecorder()
    {
        string dir = Path.Combine(D.Root, "recorder");
        Directory.CreateDirectory(dir);
        string script = Path.Combine(dir, "rec.sh");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            cr=$(printf '\r')
            first=
            while IFS= read -r line; do
              line=${line%"$cr"}
              [ -z "$first" ] && first=$line
              echo "$line" >> /rec/requests.log
              [ -z "$line" ] && break
            done
            case "$first" in
              "GET /bounce "*) body="<title>bounce</title><script>location.href='http://mydocker.localhost:{{RecorderPort}}/step1'</script>" ;;
              "GET /step1 "*) body="<title>step1</title><script>fetch('/step2').then(function () { document.title = 'fetched'; })</script>" ;;
              *) body='<title>recorded</title><p>recorded</p>' ;;
            esac
            printf 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "${#body}" "$body"

            """.Replace("\r\n", "\n"));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        D.WithBusybox();
        D.RunDetached("--name", "recorder", "-p", $"127.0.0.1:{RecorderPort}:80", "-v", dir + ":/rec", "busybox", "nc", "-ll", "-p", "80", "-e", "/rec/rec.sh");
        return Path.Combine(dir, "requests.log");
    }

    private static string Read(string log) => File.Exists(log) ? File.ReadAllText(log) : "";

    [Fact]
    public async Task H4_a_port_link_opened_from_the_dashboard_never_carries_its_cookie()
    {
        string log = StartRecorder();
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        // Chromium resolved mydocker-LABEL.localhost to this netns's loopback by itself (no DNS, no /etc/hosts entry).
        string dashboardHost = new Uri(page.Url).Host;
        Assert.Matches("^mydocker-[0-9a-f]{20}\\.localhost$", dashboardHost);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == CookieName);
        Assert.Equal(dashboardHost, cookie.Domain);

        // The containers table's port link, and the container page's.
        await page.GotoAsync(DashboardUrl("/containers"));
        var link = page.GetByRole(AriaRole.Link, new() { Name = $"Open http://127.0.0.1:{RecorderPort} (port 80 of recorder)" });
        var opened = await context.RunAndWaitForPageAsync(() => link.ClickAsync());
        await Assertions.Expect(opened).ToHaveTitleAsync("recorded");
        await opened.CloseAsync();
        await page.GotoAsync(DashboardUrl("/containers/recorder"));
        opened = await context.RunAndWaitForPageAsync(() => page.GetByRole(AriaRole.Link, new() { Name = $"http://127.0.0.1:{RecorderPort}" }).ClickAsync());
        await Assertions.Expect(opened).ToHaveTitleAsync("recorded");

        // The hostile page: to the well-known name at its own port, then a same-origin fetch from there.
        await opened.GotoAsync($"http://127.0.0.1:{RecorderPort}/bounce");
        await Assertions.Expect(opened).ToHaveTitleAsync("fetched");
        string seen = Read(log);
        Assert.True(seen.Split("GET / HTTP/1.1").Length >= 3, seen); // both port links were followed
        Assert.Contains($"Host: 127.0.0.1:{RecorderPort}", seen);
        Assert.Contains("GET /step2 HTTP/1.1", seen);
        Assert.Contains($"Host: mydocker.localhost:{RecorderPort}", seen);
        Assert.DoesNotContain("mydocker_session", seen);

        // The check can fail: under the dashboard's own name the same server gets the cookie, whatever the port.
        await opened.GotoAsync($"http://{dashboardHost}:{RecorderPort}/");
        await Assertions.Expect(opened).ToHaveTitleAsync("recorded");
        Assert.Contains($"{CookieName}=", Read(log));
    }

    [Fact]
    public async Task L5_mydocker_dashboard_logs_a_new_browser_in_and_revoke_all_closes_the_old_ones()
    {
        var old = await (await Browser.NewContextAsync()).NewPageAsync();
        await old.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await Assertions.Expect(old.GetByTestId("connection")).ToHaveTextAsync("live");

        // A fresh browser (no cookie) with a URL minted now.
        var fresh = await (await Browser.NewContextAsync()).NewPageAsync();
        await fresh.GotoAsync(D.CliOk("dashboard").Trim());
        await Assertions.Expect(fresh.GetByTestId("connection")).ToHaveTextAsync("live");

        // Revoke-all: both open pages lose their circuit and reload into the gate's refusal; the next load is refused.
        string next = D.CliOk("dashboard", "--revoke-all").Trim();
        foreach (var page in new[] { old, fresh })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not the dashboard's address" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            var reload = await page.ReloadAsync();
            Assert.Equal(400, reload!.Status);
        }
        await Shot(old, "session-revoked.png");

        // The new URL logs in again.
        await fresh.GotoAsync(next);
        await Assertions.Expect(fresh.GetByTestId("connection")).ToHaveTextAsync("live");
    }

    [Fact]
    public async Task L5_log_out_ends_the_session_deletes_the_cookie_and_closes_its_other_pages()
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(DashboardAccessTests.LoginUrl(D));
        await Assertions.Expect(page.GetByTestId("connection")).ToHaveTextAsync("live");
        var other = await context.NewPageAsync();
        await other.GotoAsync(DashboardUrl("/events"));
        await Assertions.Expect(other.GetByTestId("connection")).ToHaveTextAsync("live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logged out" })).ToBeVisibleAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == CookieName);
        await Assertions.Expect(other.GetByRole(AriaRole.Heading, new() { Name = "Log in first" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(401, (await page.GotoAsync(DashboardUrl("/networks")))!.Status);
    }
}
