using MyDocker.Shared.Api;

namespace MyDocker.Cli;

public sealed partial class DaemonClient
{
    /// <summary><c>POST /mydocker/v1/dashboard/login</c>.</summary>
    public Task<DashboardLoginResponse> DashboardLoginAsync(CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, "/mydocker/v1/dashboard/login", null, ApiJsonContext.Default.DashboardLoginResponse, ct);

    /// <summary><c>DELETE /mydocker/v1/dashboard/sessions</c>.</summary>
    public Task RevokeDashboardSessionsAsync(CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, "/mydocker/v1/dashboard/sessions", null, ct);
}
