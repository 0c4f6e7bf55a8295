using System.Net;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// The first middleware on the dashboard's TCP listener (the unix socket passes straight through): refuses foreign Host
/// headers (DNS rebinding) and foreign Origins (cross-site WebSocket hijacking of /_blazor), handles /login, refuses
/// every request without a session cookie, and sets the security headers on every answer.
/// </summary>
public static class DashboardGate
{
    /// <summary>
    /// Blazor Server needs only its own script files ('self'). MudBlazor needs style-src 'unsafe-inline': its components
    /// render style="..." attributes and MudThemeProvider writes a &lt;style&gt; element with the theme's CSS variables.
    /// connect-src names ws:// explicitly because CSP2 browsers do not count ws: as 'self'.
    /// </summary>
    public static string ContentSecurityPolicy(IEnumerable<string> authorities) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        $"connect-src 'self' {string.Join(' ', authorities.Select(a => "ws://" + a))}; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseDashboardGate(this IApplicationBuilder app, DashboardOptions options, DashboardAccess access, CancellationToken stopping)
    {
        var hosts = options.Authorities();
        var origins = hosts.Select(h => "http://" + h).ToList();
        string csp = ContentSecurityPolicy(hosts);
        return app.Use(async (ctx, next) =>
        {
            if (!ListenerMatcherPolicy.IsDashboardListener(ctx)) { await next(ctx); return; }
            var h = ctx.Response.Headers;
            h.ContentSecurityPolicy = csp;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";

            // At SIGTERM SignalR closes every circuit's WebSocket, and Blazor reconnects at once over a keep-alive
            // connection Kestrel still serves; that new WebSocket would hold the shutdown for HostOptions.ShutdownTimeout
            // (30 s). Refused here, the page keeps retrying until the daemon is back.
            if (stopping.IsCancellationRequested)
            {
                ctx.Response.Headers.Connection = "close";
                await Refuse(ctx, HttpStatusCode.ServiceUnavailable, "Stopping", "mydockerd is stopping; the page reconnects when it is back.");
                return;
            }
            string host = ctx.Request.Headers.Host.ToString();
            if (!hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
            {
                await Refuse(ctx, HttpStatusCode.BadRequest, "Host not allowed", $"The dashboard answers only to {string.Join(" and ", origins)}.");
                return;
            }
            string origin = ctx.Request.Headers.Origin.ToString();
            bool upgrade = ctx.WebSockets.IsWebSocketRequest;
            if ((origin.Length > 0 || upgrade) && !origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                await Refuse(ctx, HttpStatusCode.Forbidden, "Origin not allowed", "Requests from other sites are refused.");
                return;
            }
            if (ctx.Request.Path == "/login")
            {
                string? key = access.Redeem(ctx.Request.Query["token"]);
                if (key is null)
                {
                    await Refuse(ctx, HttpStatusCode.Unauthorized, "Login link not valid",
                        "This login link is wrong or was already used: each link works once. Restart mydockerd to get a new one.");
                    return;
                }
                ctx.Response.Cookies.Append(DashboardAccess.CookieName, key, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true,
                });
                h.CacheControl = "no-store";
                ctx.Response.Redirect("/");
                return;
            }
            if (!access.IsSession(ctx.Request.Cookies[DashboardAccess.CookieName]))
            {
                await Refuse(ctx, HttpStatusCode.Unauthorized, "Log in first",
                    "Open the dashboard with the login URL mydockerd printed at start (Dashboard: http://127.0.0.1:PORT/login?token=…).");
                return;
            }
            await next(ctx);
        });
    }

    private static Task Refuse(HttpContext ctx, HttpStatusCode status, string title, string text)
    {
        ctx.Response.StatusCode = (int)status;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        return ctx.Response.WriteAsync(
            $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>" +
            $"<body><h1>{title}</h1><p>{WebUtility.HtmlEncode(text)}</p></body></html>");
    }
}
