using System.Net;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.E2ETests.Kernel;

/// <summary>The rtnetlink requests a container endpoint needs, against the real kernel inside throw-away namespaces.</summary>
public sealed class RtNetlinkEndpointTests
{
    private static RtNetlink OpenIn(TestNetns ns) => ns.Run(() => RtNetlink.Open());

    [Fact]
    public void A_default_route_via_a_gateway_is_what_ip_route_add_makes()
    {
        using var ns = new TestNetns("nlr");
        using var nl = OpenIn(ns);
        int veth = nl.CreateVethPair("mdt-vh0", "mdt-vp0", -1);
        nl.SetUp(veth);
        nl.SetUp(nl.GetLink("mdt-vp0")!.Index);
        nl.AddAddress(veth, IPAddress.Parse("10.124.0.2"), 24);

        nl.AddRoute(IPAddress.Any, 0, IPAddress.Parse("10.124.0.1"), veth);

        // `ip route` hides proto boot (its own default); -d shows it and the type and scope.
        Assert.Matches(new Regex(@"^unicast default via 10\.124\.0\.1 dev mdt-vh0 proto boot scope global\s*$", RegexOptions.Multiline),
            ns.Exec("ip", "-d", "-4", "route"));
        Assert.Contains(new RouteInfo(IPAddress.Any, 0, veth, IPAddress.Parse("10.124.0.1")), nl.ListRoutes());

        var again = Assert.Throws<KernelExistsException>(() => nl.AddRoute(IPAddress.Any, 0, IPAddress.Parse("10.124.0.1"), veth));
        Assert.Equal(KernelException.EEXIST, again.Errno);

        // replace swaps the gateway in place.
        nl.AddRoute(IPAddress.Any, 0, IPAddress.Parse("10.124.0.9"), veth, replace: true);
        var defaults = nl.ListRoutes().Where(r => r.PrefixLength == 0).ToList();
        Assert.Equal([new RouteInfo(IPAddress.Any, 0, veth, IPAddress.Parse("10.124.0.9"))], defaults);

        // A route with a destination and no gateway.
        nl.AddRoute(IPAddress.Parse("10.200.0.0"), 16, null, veth);
        Assert.Contains("unicast 10.200.0.0/16 dev mdt-vh0 proto boot scope link", ns.Exec("ip", "-d", "-4", "route"));
    }

    [Fact]
    public void A_gateway_off_every_subnet_is_ENETUNREACH()
    {
        using var ns = new TestNetns("nlr");
        using var nl = OpenIn(ns);
        int veth = nl.CreateVethPair("mdt-vh0", "mdt-vp0", -1);
        nl.SetUp(veth);
        var e = Assert.Throws<KernelException>(() => nl.AddRoute(IPAddress.Any, 0, IPAddress.Parse("10.125.0.1"), veth));
        Assert.Equal(101 /* ENETUNREACH */, e.Errno);
        Assert.Contains("10.125.0.1", e.Message);
    }

    [Fact]
    public void A_MAC_is_set_on_a_link_and_given_to_a_peer_born_in_another_namespace()
    {
        using var host = new TestNetns("nlm");
        using var container = new TestNetns("nlm");
        using var nl = OpenIn(host);
        int veth = nl.CreateVethPair("mdt-vh0", "mdt-vp0", -1);
        nl.SetUp(veth);
        nl.SetLinkAddress(veth, PhysicalAddress.Parse("02-42-0A-01-02-03"));
        Assert.Contains("link/ether 02:42:0a:01:02:03", host.Exec("ip", "link", "show", "mdt-vh0"));

        int fd = Libc.Check(Libc.Open(container.Path, Libc.O_RDONLY | Libc.O_CLOEXEC), "open netns", container.Path);
        try { nl.CreateVethPair("mdt-vh1", "eth0", fd, PhysicalAddress.Parse("02-42-0A-01-02-04")); }
        finally { Libc.Close(fd); }
        Assert.Contains("link/ether 02:42:0a:01:02:04", container.Exec("ip", "link", "show", "eth0"));

        Assert.Throws<ArgumentException>(() => nl.SetLinkAddress(veth, PhysicalAddress.Parse("01-00-5E-00-00-01")));
        Assert.Throws<ArgumentException>(() => nl.SetLinkAddress(veth, PhysicalAddress.Parse("02-42-0A-01")));
    }

    [Fact]
    public void A_link_is_found_by_index_and_a_missing_index_is_null()
    {
        using var ns = new TestNetns("nli");
        using var nl = OpenIn(ns);
        int bridge = nl.CreateBridge("mdt-br0");
        Assert.Equal(nl.GetLink("mdt-br0"), nl.GetLink(bridge));
        Assert.Equal("lo", nl.GetLink(1)!.Name);
        Assert.Null(nl.GetLink(987654));
    }
}
