using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Mvc;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Networks;
using MyDocker.Engine.Networks.Firewall.Foreign;
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

        // [FromServices]: the foreign firewall is a service, never a body (a GET cannot infer one).
        app.MapGet("/mydocker/v1/system/doctor", async (
            [FromServices] ForeignFirewall foreign, NetworkService networks, [FromServices] RuntimeCheck runtime, CancellationToken ct) =>
        {
            var names = (await networks.ListAsync(ct)).ToDictionary(n => n.Network.Bridge, n => n.Network.Name, StringComparer.Ordinal);
            var report = Doctor(foreign.Inspect(names.Keys), names);
            if (RuntimeFinding(await runtime.CheckAsync()) is { } finding) report.Findings.Insert(0, finding);
            return Results.Json(report, ApiJsonContext.Default.DoctorReport);
        });
    }

    /// <summary>A warning when the OCI runtime lacks security fixes or its version cannot be read; null when it is fine.</summary>
    public static DoctorFinding? RuntimeFinding(RuntimeCheckResult check) => check.Healthy ? null : new DoctorFinding
    {
        Severity = DoctorFinding.Warning,
        Object = $"OCI runtime {check.RuntimePath}",
        Problem = check.Describe() + ".",
        Fix = check.Fix + ".",
    };

    /// <summary>The doctor's findings for foreign firewall blockers: an uncovered certain drop is an error (our traffic
    /// dies there now), an uncovered conditional one a warning, a covered one info. Errors first.</summary>
    /// <param name="networkOfBridge">Bridge name to network name, so the words name networks the user knows.</param>
    public static DoctorReport Doctor(IReadOnlyList<ForeignBlocker> blockers, IReadOnlyDictionary<string, string> networkOfBridge)
    {
        string Networks(IEnumerable<string> bridges) => string.Join(", ", bridges.Select(b =>
            networkOfBridge.TryGetValue(b, out var name) ? $"'{name}' (bridge {b})" : $"bridge {b}"));

        var findings = blockers.Select(b =>
        {
            string severity = b.Covered ? DoctorFinding.Info : b.Certain ? DoctorFinding.Error : DoctorFinding.Warning;
            string where = b.Via is null ? "" : $" in chain {b.Chain}, reached from {b.Via}";
            string handle = b.Handle is { } h ? $" (handle {h})" : "";
            string verb = b.Certain ? "drops" : "may drop";
            string problem = b.What == "policy drop"
                ? $"This chain's policy is DROP: it drops forwarded traffic that no rule in it accepts, which includes the egress and published ports of network(s) {Networks(b.Bridges)}, whatever MyDocker's own table accepts."
                : $"The {b.What}{handle}{where} {verb} forwarded traffic of network(s) {Networks(b.Bridges)}.";
            if (b.Covered) problem += " MyDocker's accept rules come first in this chain, so its traffic passes.";
            return new DoctorFinding
            {
                Severity = severity,
                Object = $"{b.Backend} chain {b.Object} (hook {b.Hook}, priority {b.Priority})",
                Problem = problem,
                Fix = b.Fix,
            };
        });
        int Rank(DoctorFinding f) => f.Severity switch { DoctorFinding.Error => 0, DoctorFinding.Warning => 1, _ => 2 };
        return new DoctorReport { Findings = [.. findings.OrderBy(Rank)] };
    }
}
