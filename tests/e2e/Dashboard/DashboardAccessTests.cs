using System.Net;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Dashboard;

/// <summary>The real daemon's dashboard listener, from inside its netns: login, cookie, host and origin checks, CSP,
/// static assets from the published output, and the Docker API kept on the unix socket.</summary>
public sealed class DashboardAccessTests : IDisposable
{
    private const int Port = 7481;
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

    [Fact]
    public async Task The_printed_login_url_works_once_and_sets_a_strict_cookie()
    {
        string url = LoginUrl(_d);
        Assert.Matches($"^http://127\\.0\\.0\\.1:{Port}/login\\?token=[A-Za-z0-9_-]{{43}}$", url);
        using var http = DashboardHttp.Create(_d.Netns, Port);

        var noCookie = await http.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.Unauthorized, noCookie.StatusCode);
        Assert.Contains("login URL mydockerd printed", await noCookie.Content.ReadAsStringAsync());

        var login = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        string setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        string cookie = setCookie.Split(';')[0];

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url)).StatusCode); // used up

        foreach (var path in new[] { "/", "/networks", "/events", "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.js", "/_content/MudBlazor/MudBlazor.min.css" })
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, path);
            req.Headers.Add("Cookie", cookie);
            var r = await http.SendAsync(req);
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {r.StatusCode}\n{_d.Logs}");
            string csp = string.Join(";", r.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp);
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
        }

        // The static files without the cookie are refused too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task Foreign_hosts_and_origins_are_refused_and_the_api_is_not_on_tcp()
    {
        using var http = DashboardHttp.Create(_d.Netns, Port);
        var login = await http.GetAsync(LoginUrl(_d));
        string cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        async Task<HttpStatusCode> Get(string path, string? host = null, string? origin = null, HttpMethod? method = null)
        {
            using var req = new HttpRequestMessage(method ?? HttpMethod.Get, path);
            req.Headers.Add("Cookie", cookie);
            if (host is not null) req.Headers.Host = host;
            if (origin is not null) req.Headers.Add("Origin", origin);
            return (await http.SendAsync(req)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Get("/networks", host: $"localhost:{Port}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get("/networks", host: $"evil.example:{Port}"));
        Assert.Equal(HttpStatusCode.BadRequest, await Get("/networks", host: "127.0.0.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/_blazor/negotiate?negotiateVersion=1", origin: "http://evil.example", method: HttpMethod.Post));
        Assert.Equal(HttpStatusCode.OK, await Get("/_blazor/negotiate?negotiateVersion=1", origin: $"http://127.0.0.1:{Port}", method: HttpMethod.Post));

        // The Docker API answers only on the unix socket, and the dashboard only on TCP.
        foreach (var path in new[] { "/_ping", "/version", "/v1.47/networks", "/containers/web/json", "/info" })
            Assert.Equal(HttpStatusCode.NotFound, await Get(path));
        // /containers/json is the dashboard's page for a container named "json": the page's HTML, not the API's list.
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/containers/json"))
        {
            req.Headers.Add("Cookie", cookie);
            var page = await http.SendAsync(req);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("\"Id\"", await page.Content.ReadAsStringAsync());
        }
        using var unix = _d.Http();
        Assert.Equal(HttpStatusCode.OK, (await unix.GetAsync("/networks")).StatusCode);
        Assert.StartsWith("[", await (await unix.GetAsync("/networks")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/_framework/blazor.web.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await unix.GetAsync("/_blazor/initializers")).StatusCode);
    }

    public void Dispose() => _d.Dispose();
}
