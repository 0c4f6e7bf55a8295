using System.Net;
using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.Web.Dashboard.Containers;

/// <summary>
/// Where a browser reaches a published port, and whether the dashboard may link it. A browser sends a host's cookies to
/// every port of that host (RFC 6265 §8.5; SameSite ignores ports too), so a link to the dashboard's own host would hand
/// the container's web server the session cookie. On loopback the dashboard's host is a <c>.localhost</c> name, which no
/// port link uses; on an address of its own (MyDocker:Dashboard:Address) a port reached through that address gets no
/// link, only its address and the reason.
/// </summary>
public sealed class PortLinks(DashboardSite site)
{
    public const string WithheldReason =
        "not a link: the dashboard's session cookie would be sent with it (browsers send a host's cookies to all its ports); open it in a private window";

    /// <summary>The host to browse to: the published address, or for 0.0.0.0 (every address) the one the browser is
    /// known to reach this host at — loopback for a loopback dashboard, else the dashboard's own address.</summary>
    public string Host(PortRow port)
    {
        if (port.HostIp is not ("0.0.0.0" or "")) return port.HostIp;
        var dashboard = site.Options.ListenAddress();
        return IPAddress.IsLoopback(dashboard) ? "127.0.0.1" : dashboard.ToString();
    }

    /// <summary>True for a TCP port whose link would carry the dashboard's cookie.</summary>
    public bool Withheld(PortRow port) => port.Protocol == "tcp" && string.Equals(Host(port), site.CookieHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>An http link for a TCP port the cookie does not follow; null for UDP and for withheld ports.</summary>
    public string? Url(PortRow port) => port.Protocol == "tcp" && !Withheld(port) ? $"http://{Host(port)}:{port.HostPort}" : null;
}
