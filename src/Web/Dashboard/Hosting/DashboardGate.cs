using System.Net;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// The first middleware on the dashboard's TCP listener (the unix socket passes straight through): refuses foreign Host
/// headers (DNS rebinding; also 127.0.0.1 and localhost, which the dashboard no longer uses) and foreign Origins
/// (cross-site WebSocket hijacking of /_blazor), handles /login and POST /logout, refuses every request without a live
/// session, renews the session's cookie, ties the request to its session (<see cref="LiveSessions"/>), and sets the
/// security headers on every answer.
/// </summary>
public static class DashboardGate
{
    /// <summary>Answers 204 with a live session, else what any page would get: dashboard.js asks it while the circuit is
    /// down, to tell "session ended" (reload into the explanation) from "daemon down" (keep retrying).</summary>
    public const string SessionPath = "/session";

    /// <summary>
    /// Blazor Server needs only its own script files ('self'). MudBlazor needs style-src 'unsafe-inline': its components
    /// render style="..." attributes and MudThemeProvider writes a &lt;style&gt; element with the theme's CSS variables.
    /// connect-src names ws:// explicitly because CSP2 browsers do not count ws: as 'self'.
    /// </summary>
    public static string ContentSecurityPolicy(string authority) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        $"connect-src 'self' ws://{authority}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private const string NewLoginUrl = "Run 'mydocker dashboard' as root on the daemon's host: it prints a new one-time login URL.";

    public static IApplicationBuilder UseDashboardGate(this IApplicationBuilder app, DashboardSite site, LiveSessions live, CancellationToken stopping)
    {
        var access = site.Access;
        return app.Use(async (ctx, next) =>
        {
            if (!ListenerMatcherPolicy.IsDashboardListener(ctx)) { await next(ctx); return; }
            string authority = site.Authority; // once per request: RevokeAll changes it
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = ContentSecurityPolicy(authority);
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            // Never a Referer to another origin (it would name the dashboard's host to a container's server). Not
            // no-referrer: under it Chromium sends "Origin: null" with the page's own form POSTs (Fetch standard,
            // "serializing a request origin"), and the logout form would fail the Origin check.
            h["Referrer-Policy"] = "same-origin";

            // At SIGTERM SignalR closes every circuit's WebSocket, and Blazor reconnects at once over a keep-alive
            // connection Kestrel still serves; that new WebSocket would hold the shutdown for HostOptions.ShutdownTimeout
            // (30 s). Refused here, the page keeps retrying until the daemon is back.
            if (stopping.IsCancellationRequested)
            {
                ctx.Response.Headers.Connection = "close";
                await Page(ctx, HttpStatusCode.ServiceUnavailable, "Stopping", "mydockerd is stopping; the page reconnects when it is back.");
                return;
            }
            if (!string.Equals(ctx.Request.Headers.Host.ToString(), authority, StringComparison.OrdinalIgnoreCase))
            {
                // The same words for every wrong host: a local user asking for 127.0.0.1:PORT must not learn the name.
                await Page(ctx, HttpStatusCode.BadRequest, "Not the dashboard's address", site.Options.UsesLocalhostName
                    ? "The dashboard is served only under its own host name, which its login URL carries and which changes when every session is revoked — not on 127.0.0.1 or localhost, whose other ports (containers' published ports) would receive its session cookie. " + NewLoginUrl
                    : $"The dashboard answers only to http://{authority}. " + NewLoginUrl);
                return;
            }
            string origin = ctx.Request.Headers.Origin.ToString();
            if ((origin.Length > 0 || ctx.WebSockets.IsWebSocketRequest) && !string.Equals(origin, "http://" + authority, StringComparison.OrdinalIgnoreCase))
            {
                await Page(ctx, HttpStatusCode.Forbidden, "Origin not allowed", "Requests from other sites are refused.");
                return;
            }
            var session = Sessions(ctx, site.CookieName).Select(access.Validate).FirstOrDefault(s => s is not null);
            if (ctx.Request.Path == "/login")
            {
                var fresh = access.Redeem(ctx.Request.Query["token"]);
                if (fresh is null)
                {
                    await Page(ctx, HttpStatusCode.Unauthorized, "Login link not valid",
                        $"This login link is wrong, expired (a link works for {DashboardAccess.LoginTokenLifetime.TotalMinutes:0} minutes) or already used (it works once). " + NewLoginUrl);
                    return;
                }
                SetCookie(ctx, site.CookieName, fresh.Cookie);
                h.CacheControl = "no-store";
                ctx.Response.Redirect("/");
                return;
            }
            if (ctx.Request.Path == "/logout" && HttpMethods.IsPost(ctx.Request.Method))
            {
                if (session is not null) access.Revoke(session);
                ctx.Response.Cookies.Delete(site.CookieName, CookieOptions());
                h.CacheControl = "no-store";
                await Page(ctx, HttpStatusCode.OK, "Logged out", "This browser's dashboard session has ended, and open pages of it are closed. " + NewLoginUrl);
                return;
            }
            if (session is null)
            {
                await Page(ctx, HttpStatusCode.Unauthorized, "Log in first",
                    $"This browser has no dashboard session, or it ended: logged out, unused for {DashboardAccess.IdleTimeout.TotalHours:0} hours, older than {DashboardAccess.MaxLifetime.TotalDays:0} days, or every session was revoked. " + NewLoginUrl);
                return;
            }
            var renewed = access.Renew(session);
            if (!ReferenceEquals(renewed, session)) SetCookie(ctx, site.CookieName, renewed.Cookie);
            if (ctx.Request.Path == SessionPath)
            {
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            using var _ = live.Track(renewed, ctx.Abort);
            await next(ctx);
        });
    }

    /// <summary>Every value of the session cookie: a page on another host in the same site could add one with a Domain
    /// attribute, and a browser sends both; any valid one counts (ASP.NET's Request.Cookies keeps only one of them).</summary>
    private static IEnumerable<string> Sessions(HttpContext ctx, string name)
    {
        foreach (var header in ctx.Request.Headers.Cookie)
            foreach (var pair in (header ?? "").Split(';'))
                if (pair.Split('=', 2) is [var n, var v] && n.Trim() == name)
                    yield return v.Trim();
    }

    private static CookieOptions CookieOptions() => new() { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true };

    private static void SetCookie(HttpContext ctx, string name, string value) => ctx.Response.Cookies.Append(name, value, CookieOptions());

    private static Task Page(HttpContext ctx, HttpStatusCode status, string title, string text)
    {
        ctx.Response.StatusCode = (int)status;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>" +
            $"<body><h1>{title}</h1><p>{WebUtility.HtmlEncode(text)}</p></body></html>");
    }
}
