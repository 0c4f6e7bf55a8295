using MyDocker.Shared.Api;

namespace MyDocker.Cli;

public sealed partial class DaemonClient
{
    /// <summary><c>GET /version</c>.</summary>
    public Task<VersionResponse> VersionAsync(CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Get, "/version", null, ApiJsonContext.Default.VersionResponse, ct);

    /// <summary><c>POST /mydocker/v1/system/reconcile</c>.</summary>
    public Task<ReconcileReport> ReconcileAsync(CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, "/mydocker/v1/system/reconcile", null, ApiJsonContext.Default.ReconcileReport, ct);

    /// <summary><c>GET /mydocker/v1/system/doctor</c>.</summary>
    public Task<DoctorReport> DoctorAsync(CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Get, "/mydocker/v1/system/doctor", null, ApiJsonContext.Default.DoctorReport, ct);
}
