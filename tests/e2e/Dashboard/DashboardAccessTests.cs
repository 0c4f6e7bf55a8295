using System.Net;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>The real daemon's dashboard listener, from inside its netns: login, cookie, host and origin checks, CSP,
/// static assets from the published output, the Docker API kept on the unix socket, and the session's lifecycle
/// (<c>mydocker dashboard</c>, logout, revoke-all).</summary>
public sealed class DashboardAccessTests : IDisposable
{
    private const int Port = 7481;
    private const string CookieName = "mydocker_session_7481";
    private readonly DaemonUnderTest _d = new("dash", start: false);

    public DashboardAccessTests()
    {
        _d.ExtraArgs.AddRange(["--dashboard-port", Port.ToString()]);
        _d.Start();
    }

    public static string LoginUrl(DaemonUnderTest d)
    {
        var line = d.LogLines("Dashboard: ").Last(); // a restart prints a new one
        return line["Dashboard: ".Length..];
    }

    /// <summary>Logs in with <paramref name="url"/>; returns the "name=value" to send as Cookie.</summary>
    private static async Task<string> LogInAsync(HttpClient http, string url)
    {
        var login = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string? cookie, HttpMethod? method = null, string? host = null, string? origin = null)
    {
        using var req = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (cookie is not null) req.Headers.Add("Cookie", cookie);
        if (host is not null) req.Headers.Host = host;
        if (origin is not null) req.Headers.Add("Origin", origin);
        return await http.SendAsync(req);
    }

    [Fact]
    public async Task The_printed_login_url_works_once_and_sets_a_strict_cookie()
    {
        string url = LoginUrl(_d);
        Assert.Matches($"^http://mydocker-[0-9a-f]{{20}}\\.localhost:{Port}/login\\?token=[A-Za-z0-9_-]{{43}}$", url);
        using var http = DashboardHttp.Create(_d.Netns, url);

        var noCookie = await http.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.Unauthorized, noCookie.StatusCode);
        Assert.Contains("Run &#39;mydocker dashboard&#39; as root", await noCookie.Content.ReadAsStringAsync());

        var login = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        string setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(CookieName + "=", setCookie);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase); // host-only
        string cookie = setCookie.Split(';')[0];

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url)).StatusCode); // used up

        foreach (var path in new[] { "/", "/networks", "/events", "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.js", "/_content/MudBlazor/MudBlazor.min.css" })
        {
            var r = await SendAsync(http, path, cookie);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {r.StatusCode}\n{_d.Logs}");
            string csp = string.Join(";", r.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp);
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains($"ws://{new Uri(url).Authority}", csp);
            Assert.Equal("same-origin", r.Headers.GetValues("Referrer-Policy").Single());
        }

        // The static files without the cookie are refused too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task H4_the_dashboard_answers_only_under_its_own_name_and_foreign_origins_are_refused_and_the_api_is_not_on_tcp()
    {
        string url = LoginUrl(_d);
        string authority = new Uri(url).Authority;
        using var http = DashboardHttp.Create(_d.Netns, url);
        string cookie = await LogInAsync(http, url);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/networks", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/networks", cookie, host: authority.ToUpperInvariant())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, "/networks", cookie, host: $"evil.example:{Port}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, "/networks", cookie, host: $"mydocker.localhost:{Port}")).StatusCode);
        // The old addresses explain where the dashboard went, without naming it (any local user may ask them).
        foreach (var old in new[] { $"127.0.0.1:{Port}", $"localhost:{Port}", "127.0.0.1" })
        {
            var r = await SendAsync(http, "/", cookie, host: old);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            string text = await r.Content.ReadAsStringAsync();
            Assert.Contains("served only under its own host name", text);
            Assert.Contains("mydocker dashboard", text);
            Assert.DoesNotContain(authority, text);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/_blazor/negotiate?negotiateVersion=1", cookie, HttpMethod.Post, origin: "http://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/_blazor/negotiate?negotiateVersion=1", cookie, HttpMethod.Post, origin: $"http://127.0.0.1:{Port}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/_blazor/negotiate?negotiateVersion=1", cookie, HttpMethod.Post, origin: $"http://{authority}")).StatusCode);

        // The Docker API answers only on the unix socket, and the dashboard only on TCP.
        foreach (var path in new[] { "/_ping", "/version", "/v1.47/networks", "/containers/web/json", "/info" })
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, path, cookie)).StatusCode);
        var mint = await SendAsync(http, "/mydocker/v1/dashboard/login", cookie, HttpMethod.Post, origin: $"http://{authority}");
        Assert.NotEqual(HttpStatusCode.OK, mint.StatusCode);
        Assert.DoesNotContain("token=", await mint.Content.ReadAsStringAsync());
        // /containers/json is the dashboard's page for a container named "json": the page's HTML, not the API's list.
        var page = await SendAsync(http, "/containers/json", cookie);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("\"Id\"", await page.Content.ReadAsStringAsync());
        using var unix = _d.Http();
        Assert.Equal(HttpStatusCode.OK, (await unix.GetAsync("/networks")).StatusCode);
        Assert.StartsWith("[", await (await unix.GetAsync("/networks")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/_blazor/initializers")).StatusCode);
    }

    [Fact]
    public async Task L5_mydocker_dashboard_mints_urls_logout_ends_one_session_for_good_and_revoke_all_ends_every_one()
    {
        string started = LoginUrl(_d);
        string authority = new Uri(started).Authority;
        using var http = DashboardHttp.Create(_d.Netns, started);

        // A new URL at any time, under the same name; it replaces the unused one printed at start.
        var minted = _d.Cli("dashboard");
        Assert.Equal(0, minted.ExitCode);
        string url = minted.Stdout.Trim();
        Assert.Matches($"^http://{authority.Replace(".", "\\.")}/login\\?token=[A-Za-z0-9_-]{{43}}$", url);
        Assert.Contains("It works once, until", minted.Stderr);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(started)).StatusCode);
        string a = await LogInAsync(http, url);
        string b = await LogInAsync(http, _d.CliOk("dashboard").Trim());

        // Logout ends session a (and deletes its cookie); b goes on; a stays dead after a restart.
        var logout = await SendAsync(http, "/logout", a, HttpMethod.Post, origin: $"http://{authority}");
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Contains("Logged out", await logout.Content.ReadAsStringAsync());
        string deleted = logout.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith(CookieName + "=;", deleted);
        Assert.Contains("expires=Thu, 01 Jan 1970", deleted);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/networks", a)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/networks", b)).StatusCode);
        // A logout from another site is refused before it does anything.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/logout", b, HttpMethod.Post, origin: "http://evil.example")).StatusCode);
        _d.Restart();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/networks", a)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/networks", b)).StatusCode);

        // Revoke-all: b is refused, under the old name and under the new one, which the new URL carries.
        var revoked = _d.Cli("dashboard", "--revoke-all");
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains("Every dashboard session has ended", revoked.Stderr);
        string fresh = revoked.Stdout.Trim();
        string newAuthority = new Uri(fresh).Authority;
        Assert.NotEqual(authority, newAuthority);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, "/networks", b)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/networks", b, host: newAuthority)).StatusCode);
        using var freshHttp = DashboardHttp.Create(_d.Netns, fresh);
        string c = await LogInAsync(freshHttp, fresh);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(freshHttp, "/networks", c)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(freshHttp, "/session", c)).StatusCode);
    }

    public void Dispose() => _d.Dispose();
}
