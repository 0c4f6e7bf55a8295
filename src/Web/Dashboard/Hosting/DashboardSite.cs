namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// Where the dashboard is: the host name it answers to and sets its cookie for, its origin, the cookie's name, the login
/// URL. On 127.0.0.1 or ::1 the host is <c>mydocker-LABEL.localhost</c> (<see cref="DashboardAccess.HostLabel"/>), never
/// 127.0.0.1 or localhost: those are what the port links of containers use, and a cookie goes to every port of its host.
/// On any other address the host is that address. Changes when every session is revoked (a new label).
/// </summary>
public sealed class DashboardSite(DashboardOptions options, DashboardAccess access)
{
    public DashboardOptions Options => options;
    public DashboardAccess Access => access;

    /// <summary>The host the session cookie belongs to: the name, or the address without brackets or port.</summary>
    public string CookieHost => options.UsesLocalhostName ? $"mydocker-{access.HostLabel}.localhost" : options.ListenAddress().ToString();

    /// <summary>host:port, as the Host header must spell it.</summary>
    public string Authority => options.UsesLocalhostName ? $"{CookieHost}:{options.Port}" : options.ListenEndpoint;

    public string Origin => "http://" + Authority;

    /// <summary>With the port: two dashboards on one machine (two data roots) share a host name's cookie jar only
    /// when they share a host, and even then neither overwrites the other's session.</summary>
    public string CookieName => $"mydocker_session_{options.Port}";

    public string LoginUrl(string token) => $"{Origin}/login?token={token}";
}
