using System.Net;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.UnitTests.Containers;

/// <summary>What an endpoint plan derives from the container id and address, and the overlay option string; no root.</summary>
public class EndpointAndOverlayTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static EndpointPlan Plan(string id = Id, string address = "10.88.0.2", int prefix = 24, string gateway = "10.88.0.1") =>
        new(id, "/run/mydocker/netns/x", "mdb0", IPAddress.Parse(address), prefix, IPAddress.Parse(gateway));

    [Fact]
    public void A_plan_derives_the_veth_name_alias_and_a_docker_style_MAC()
    {
        var plan = Plan();
        Assert.Equal("mdv0123456789ab", plan.HostVeth);
        Assert.True(InterfaceName.IsValid(plan.HostVeth));
        Assert.Equal(15, plan.HostVeth.Length);
        Assert.Equal("mydocker:ctr:" + Id, plan.Alias);
        Assert.Equal("02420A580002", plan.Mac.ToString()); // 02:42 then 10.88.0.2
        Assert.Null(plan.Problem());
    }

    [Theory]
    [InlineData("0123", "10.88.0.2", 24, "10.88.0.1", "64 lower-case hex")]
    [InlineData("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "10.88.0.2", 24, "10.88.0.1", "hex")]
    [InlineData(Id, "10.88.0.1", 24, "10.88.0.1", "gateway")]
    [InlineData(Id, "10.89.0.2", 24, "10.88.0.1", "not in the gateway's subnet 10.88.0.0/24")]
    [InlineData(Id, "10.88.0.2", 31, "10.88.0.3", "/31")]
    public void Bad_plans_are_refused_with_the_reason(string id, string address, int prefix, string gateway, string reason)
    {
        Assert.Contains(reason, Plan(id, address, prefix, gateway).Problem());
    }

    [Fact]
    public void Orphans_are_aliased_veths_of_containers_that_are_not_live()
    {
        string other = new('a', 64);
        var links = new[]
        {
            new LinkInfo(5, "mdv0123456789ab", "veth", "mydocker:ctr:" + Id, true, 3),
            new LinkInfo(6, "mdvaaaaaaaaaaaa", "veth", "mydocker:ctr:" + other, true, 3),
            new LinkInfo(7, "mdvbbbbbbbbbbbb", "veth", null, true, 3),              // not ours: no alias
            new LinkInfo(8, "mdb0", "bridge", "mydocker:net:" + other, true, null),  // a network's bridge
            new LinkInfo(9, "other", "veth", "mydocker:ctr:" + other, true, null),   // alias and name disagree
        };
        var orphans = EndpointDriver.OrphanVeths(links, new HashSet<string> { Id }.Contains);
        Assert.Equal([6], orphans.Select(l => l.Index));
        Assert.Equal(other, EndpointDriver.ContainerIdOf(orphans[0]));
    }

    [Fact]
    public void Every_interface_of_a_container_gets_its_own_15_byte_veth_name_that_names_its_owner_back()
    {
        Assert.Equal("mdv0123456789ab", Plan().HostVeth);                                 // eth0: as before several networks
        Assert.Equal("mdx012345678901", (Plan() with { InterfaceIndex = 1 }).HostVeth);
        Assert.Equal("mdx0123456789ff", (Plan() with { InterfaceIndex = 255 }).HostVeth);
        Assert.Equal("eth255", (Plan() with { InterfaceIndex = 255 }).ContainerInterface);
        Assert.Contains("at most eth255", (Plan() with { InterfaceIndex = 256 }).Problem());
        var names = Enumerable.Range(0, 256).Select(i => EndpointDriver.HostVethName(Id, i)).ToList();
        Assert.All(names, n => Assert.True(InterfaceName.IsValid(n) && n.Length == 15, n));
        Assert.Equal(256, names.Distinct().Count());

        string other = new('a', 64);
        var links = new[]
        {
            new LinkInfo(5, "mdx012345678901", "veth", "mydocker:ctr:" + Id, true, 3),
            new LinkInfo(6, "mdxaaaaaaaaaa07", "veth", "mydocker:ctr:" + other, true, 3),
            new LinkInfo(7, "mdxaaaaaaaaaa00", "veth", "mydocker:ctr:" + other, true, 3),   // index 0 is the mdv name
            new LinkInfo(8, "mdxaaaaaaaaaa0G", "veth", "mydocker:ctr:" + other, true, 3),   // not hex
            new LinkInfo(9, "mdx0123456789aa", "veth", "mydocker:ctr:" + other, true, 3),   // another container's prefix
        };
        Assert.Equal([(Id, 1), (other, 7)], links.Select(EndpointDriver.OwnerOf).OfType<(string, int)>());
        Assert.Equal([6], EndpointDriver.OrphanVeths(links, new HashSet<string> { Id }.Contains).Select(l => l.Index));
    }

    [Fact]
    public void Overlay_options_list_the_lowers_top_first()
    {
        Assert.Equal("lowerdir=/l/top:/l/base,upperdir=/c/up,workdir=/c/work",
            OverlayMount.Options(["/l/top", "/l/base"], "/c/up", "/c/work", "/c/rootfs"));
        Assert.Equal("lowerdir=/l/only,upperdir=/c/up,workdir=/c/work",
            OverlayMount.Options(["/l/only"], "/c/up", "/c/work", "/c/rootfs"));
    }

    [Theory]
    [InlineData("/l/a:b", "':'")]
    [InlineData("/l/a,b", "','")]
    [InlineData("relative/l", "not an absolute path")]
    public void Overlay_options_refuse_paths_they_cannot_carry(string lower, string reason)
    {
        var e = Assert.Throws<EngineException>(() => OverlayMount.Options([lower], "/c/up", "/c/work", "/c/rootfs"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Overlay_refuses_no_layers_and_more_options_than_a_page()
    {
        var none = Assert.Throws<EngineException>(() => OverlayMount.Options([], "/c/up", "/c/work", "/c/rootfs"));
        Assert.Contains("no layers", none.Message);

        var many = Enumerable.Range(0, 200).Select(i => $"/var/lib/mydocker/overlay/layers/{i:D4}/diff").ToList();
        var tooLong = Assert.Throws<EngineException>(() => OverlayMount.Options(many, "/c/up", "/c/work", "/c/rootfs"));
        Assert.Contains("200 layers", tooLong.Message);
        Assert.Contains("fewer layers", tooLong.Message);
    }

    [Theory]
    [InlineData("/tmp/a\\040b", "/tmp/a b")]
    [InlineData("/tmp/tab\\011x\\134y", "/tmp/tab\tx\\y")]
    [InlineData("/plain", "/plain")]
    public void Mountinfo_escapes_are_decoded(string field, string path) => Assert.Equal(path, OverlayMount.Unescape(field));
}
