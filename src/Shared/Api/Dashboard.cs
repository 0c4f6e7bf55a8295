namespace MyDocker.Shared.Api;

/// <summary>Answer of <c>POST /mydocker/v1/dashboard/login</c>: a new one-time login URL for the dashboard.</summary>
public sealed class DashboardLoginResponse
{
    public string Url { get; set; } = "";
    /// <summary>When the URL stops working if unused (UTC). A newer URL replaces it earlier.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
