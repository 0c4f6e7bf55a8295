using MyDocker.Web.Dashboard.Containers;
using MyDocker.Web.Dashboard.Hosting;

namespace MyDocker.UnitTests.Dashboard;

/// <summary>H4: the dashboard's host name, cookie and login URL, and the port links, which never point at the host the
/// cookie belongs to.</summary>
public sealed class DashboardSiteTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mydocker-unit-");

    private DashboardSite Site(string address = "127.0.0.1", int port = 7480) =>
        new(new DashboardOptions { Address = address, Port = port }, new DashboardAccess(_dir.FullName));

    private static readonly PortRow[] Ports =
    [
        new("tcp", "0.0.0.0", 8080, 80), new("tcp", "", 8081, 81), new("tcp", "127.0.0.1", 8082, 82),
        new("tcp", "192.0.2.5", 8083, 83), new("tcp", "127.0.0.2", 8084, 84), new("udp", "127.0.0.1", 5353, 53),
    ];

    [Fact]
    public void H4_on_loopback_the_dashboard_has_a_localhost_name_of_its_own_that_no_port_link_uses()
    {
        var site = Site();
        Assert.Matches("^mydocker-[0-9a-f]{20}\\.localhost$", site.CookieHost);
        Assert.Equal(site.CookieHost + ":7480", site.Authority);
        Assert.Equal("http://" + site.Authority, site.Origin);
        Assert.Equal($"http://{site.Authority}/login?token=abc", site.LoginUrl("abc"));
        Assert.Equal("mydocker_session_7480", site.CookieName);
        Assert.Equal("mydocker_session_7481", Site(port: 7481).CookieName);
        Assert.Equal(site.CookieHost, Site("::1").CookieHost);

        var links = new PortLinks(site);
        var urls = Ports.Select(links.Url).OfType<string>().ToList();
        Assert.Equal(["http://127.0.0.1:8080", "http://127.0.0.1:8081", "http://127.0.0.1:8082", "http://192.0.2.5:8083", "http://127.0.0.2:8084"], urls);
        Assert.All(urls, u => Assert.NotEqual(site.CookieHost, new Uri(u).Host));
        Assert.DoesNotContain(Ports, links.Withheld);
    }

    [Fact]
    public void H4_on_an_address_of_its_own_ports_reached_through_that_address_get_no_link()
    {
        var site = Site("192.0.2.5");
        Assert.Equal("192.0.2.5", site.CookieHost);
        Assert.Equal("http://192.0.2.5:7480", site.Origin);
        var links = new PortLinks(site);
        // 0.0.0.0 is reached from another machine through the dashboard's own address.
        Assert.Equal(["192.0.2.5", "192.0.2.5", "127.0.0.1", "192.0.2.5", "127.0.0.2", "127.0.0.1"], Ports.Select(links.Host));
        Assert.Equal([true, true, false, true, false, false], Ports.Select(links.Withheld));
        var urls = Ports.Select(links.Url).OfType<string>().ToList();
        Assert.Equal(["http://127.0.0.1:8082", "http://127.0.0.2:8084"], urls);
        Assert.All(urls, u => Assert.NotEqual(site.CookieHost, new Uri(u).Host));

        // Another loopback address than 127.0.0.1: *.localhost does not reach it, so it keeps its number, and ports on it
        // get no link.
        var other = new PortLinks(Site("127.0.0.2"));
        Assert.Equal([false, false, false, false, true, false], Ports.Select(other.Withheld));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
