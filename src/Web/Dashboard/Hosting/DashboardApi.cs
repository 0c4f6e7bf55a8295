using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// MyDocker's own endpoints for the dashboard's access, on the unix socket only (root only, like the rest of the API):
/// <c>POST /mydocker/v1/dashboard/login</c> makes a new one-time login URL (<c>mydocker dashboard</c>), and
/// <c>DELETE /mydocker/v1/dashboard/sessions</c> ends every session (<c>mydocker dashboard --revoke-all</c>).
/// </summary>
public static class DashboardApi
{
    public const string Prefix = "/mydocker/v1/dashboard";

    public static void MapDashboardApi(this IEndpointRouteBuilder app, DashboardSite? site)
    {
        var api = app.MapGroup(Prefix).WithMetadata(DockerApiEndpoint.Instance);
        api.MapPost("/login", (HttpContext ctx) =>
        {
            if (site is null) return Off(ctx);
            var (token, expires) = site.Access.NewLoginToken();
            return Results.Json(new DashboardLoginResponse { Url = site.LoginUrl(token), ExpiresAt = expires }, ApiJsonContext.Default.DashboardLoginResponse)
                .ExecuteAsync(ctx);
        });
        api.MapDelete("/sessions", (HttpContext ctx) =>
        {
            if (site is null) return Off(ctx);
            site.Access.RevokeAll();
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
    }

    private static Task Off(HttpContext ctx) => ApiErrors.Write(ctx, StatusCodes.Status503ServiceUnavailable,
        "the dashboard is turned off in this daemon (--no-dashboard or MyDocker:Dashboard:Enabled=false); start mydockerd without it to use the dashboard");
}
