using System.Runtime.InteropServices;
using MyDocker.Engine.Reconcile;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

/// <summary>Docker Engine API: /_ping, /version; and MyDocker's own /mydocker/v1/system/*.</summary>
public static class SystemEndpoints
{
    public static readonly string Version = typeof(SystemEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    public static void MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        // The docker CLI negotiates its API version from this answer's Api-Version header (set by ApiVersioning).
        app.MapMethods("/_ping", ["GET", "HEAD"], (HttpContext ctx) =>
        {
            ctx.Response.Headers.CacheControl = "no-cache, no-store, must-revalidate";
            ctx.Response.Headers.Pragma = "no-cache";
            ctx.Response.Headers["Docker-Experimental"] = "false";
            return Results.Text("OK", "text/plain; charset=utf-8");
        });

        app.MapGet("/version", () => Results.Json(new VersionResponse
        {
            Platform = new PlatformInfo { Name = "MyDocker Engine" },
            Components = [new ComponentVersion { Name = "Engine", Version = Version }],
            Version = Version,
            ApiVersion = ApiVersioning.MaxVersion,
            MinAPIVersion = ApiVersioning.MinVersion,
            GoVersion = $"dotnet{Environment.Version}",
            Os = "linux",
            Arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64",
            KernelVersion = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "",
        }, ApiJsonContext.Default.VersionResponse));

        app.MapPost("/mydocker/v1/system/reconcile", async (Reconciler reconciler, CancellationToken ct) =>
            Results.Json(await reconciler.RunAsync(ct: ct), ApiJsonContext.Default.ReconcileReport));
    }
}
