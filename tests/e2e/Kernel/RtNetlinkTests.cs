using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using Xunit.Abstractions;

namespace MyDocker.E2ETests.Kernel;

/// <summary>
/// RtNetlink against the real kernel (root). Every test opens the socket inside its own throw-away namespace
/// and checks the result with iproute2 run in that namespace.
/// </summary>
public sealed class RtNetlinkTests(ITestOutputHelper output)
{
    private static RtNetlink OpenIn(TestNetns ns) => ns.Run(() => RtNetlink.Open());

    [Fact]
    public void A_created_bridge_is_a_bridge_to_ip()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);

        int index = nl.CreateBridge("mdt-br0");

        string details = ns.Exec("ip", "-d", "link", "show", "mdt-br0");
        Assert.StartsWith($"{index}: mdt-br0:", details);
        Assert.Matches(new Regex(@"^\s+bridge\s", RegexOptions.Multiline), details);
        Assert.Equal(new LinkInfo(index, "mdt-br0", "bridge", null, IsUp: false, MasterIndex: null), nl.GetLink("mdt-br0"));
    }

    [Fact]
    public void Alias_and_up_are_set_and_read_back()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        int index = nl.CreateBridge("mdt-br0");

        nl.SetAlias(index, "mydocker:net-1234");
        nl.SetUp(index);

        Assert.Equal(new LinkInfo(index, "mdt-br0", "bridge", "mydocker:net-1234", IsUp: true, MasterIndex: null), nl.GetLink("mdt-br0"));
        string shown = ns.Exec("ip", "link", "show", "mdt-br0");
        Assert.Contains("alias mydocker:net-1234", shown);
        Assert.Matches(@"<[A-Z_,]*\bUP\b", shown);
    }

    [Fact]
    public void An_address_shows_in_ip_with_its_broadcast_and_connected_route()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        int index = nl.CreateBridge("mdt-br0");
        nl.SetUp(index);

        nl.AddAddress(index, IPAddress.Parse("10.123.4.1"), 24);

        Assert.Contains("inet 10.123.4.1/24 brd 10.123.4.255 scope global mdt-br0", ns.Exec("ip", "-4", "addr", "show", "dev", "mdt-br0"));
        // Older kernels take the carrier off a bridge without ports and list its route as linkdown; 6.18 keeps it up.
        Assert.Matches(new Regex(@"^10\.123\.4\.0/24 dev mdt-br0 proto kernel scope link src 10\.123\.4\.1( linkdown)?\s*$", RegexOptions.Multiline),
            ns.Exec("ip", "route"));
        Assert.Contains(new AddressInfo(index, IPAddress.Parse("10.123.4.1"), 24), nl.ListAddresses());
        Assert.Contains(new RouteInfo(IPAddress.Parse("10.123.4.0"), 24, index), nl.ListRoutes());

        var again = Assert.Throws<KernelExistsException>(() => nl.AddAddress(index, IPAddress.Parse("10.123.4.1"), 24));
        Assert.Equal(KernelException.EEXIST, again.Errno);
        Assert.Contains("10.123.4.1/24", again.Message);

        // Deleting the address takes the connected route with it; deleting it again reports "not there".
        Assert.True(nl.DeleteAddress(index, IPAddress.Parse("10.123.4.1"), 24));
        Assert.DoesNotContain("10.123.4.1", ns.Exec("ip", "-4", "addr", "show", "dev", "mdt-br0"));
        Assert.DoesNotContain("10.123.4.0/24", ns.Exec("ip", "route"));
        Assert.False(nl.DeleteAddress(index, IPAddress.Parse("10.123.4.1"), 24));
    }

    [Fact]
    public void A_slash_32_address_has_no_broadcast()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        int index = nl.CreateBridge("mdt-br0");

        nl.AddAddress(index, IPAddress.Parse("10.123.5.9"), 32);

        string shown = ns.Exec("ip", "-4", "addr", "show", "dev", "mdt-br0");
        Assert.Contains("inet 10.123.5.9/32 scope global mdt-br0", shown);
        Assert.DoesNotContain("brd", shown);
    }

    [Fact]
    public void Creating_a_name_twice_fails_with_EEXIST_naming_the_device()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        nl.CreateBridge("mdt-br0");

        var e = Assert.Throws<KernelExistsException>(() => nl.CreateBridge("mdt-br0"));

        Assert.Equal(KernelException.EEXIST, e.Errno);
        Assert.Contains("mdt-br0", e.Message);
        output.WriteLine(e.Message);
        // The socket is still usable after an error.
        Assert.NotNull(nl.GetLink("mdt-br0"));
    }

    [Fact]
    public void A_deleted_link_is_gone_and_deleting_again_returns_false()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        nl.CreateBridge("mdt-br0");

        Assert.True(nl.DeleteLink("mdt-br0"));

        Assert.Null(nl.GetLink("mdt-br0"));
        Assert.NotEqual(0, ns.TryExec("ip", "link", "show", "mdt-br0").ExitCode);
        Assert.False(nl.DeleteLink("mdt-br0"));
    }

    [Fact]
    public void Lists_match_what_ip_shows()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        int bridge = nl.CreateBridge("mdt-br0");
        nl.SetUp(bridge);
        nl.AddAddress(bridge, IPAddress.Parse("10.123.6.1"), 24);
        int veth = nl.CreateVethPair("mdt-vh0", "mdt-vp0", peerNetnsFd: -1);
        nl.SetMaster(veth, bridge);
        ns.Exec("ip", "addr", "add", "10.123.7.2/30", "dev", "mdt-vp0");
        ns.Exec("ip", "link", "set", "mdt-vp0", "up");
        ns.Exec("ip", "route", "add", "10.200.0.0/16", "via", "10.123.7.1");
        ns.Exec("ip", "route", "add", "default", "dev", "mdt-vp0");
        ns.Exec("ip", "route", "add", "10.201.0.0/16", "dev", "mdt-vp0", "table", "1000");

        var links = nl.ListLinks();
        var ipLinks = Json(ns.Exec("ip", "-j", "-d", "link", "show"));
        Assert.Equal(
            ipLinks.Select(l => (l.GetProperty("ifindex").GetInt32(), l.GetProperty("ifname").GetString()!)).Order(),
            links.Select(l => (l.Index, l.Name)).Order());
        Assert.Contains(new LinkInfo(1, "lo", null, null, true, null), links);
        Assert.Contains(new LinkInfo(bridge, "mdt-br0", "bridge", null, true, null), links);
        Assert.Contains(new LinkInfo(veth, "mdt-vh0", "veth", null, false, bridge), links);
        Assert.Contains(links, l => l is { Name: "mdt-vp0", Kind: "veth", IsUp: true, MasterIndex: null });

        var addresses = nl.ListAddresses();
        var ipAddresses = Json(ns.Exec("ip", "-j", "-4", "addr", "show"))
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray().Select(a =>
                new AddressInfo(l.GetProperty("ifindex").GetInt32(), IPAddress.Parse(a.GetProperty("local").GetString()!), a.GetProperty("prefixlen").GetInt32())));
        Assert.Equal(ipAddresses.OrderBy(a => a.ToString()), addresses.OrderBy(a => a.ToString()));
        Assert.Contains(new AddressInfo(1, IPAddress.Loopback, 8), addresses);

        var routes = nl.ListRoutes();
        var ipRoutes = Json(ns.Exec("ip", "-j", "-4", "route", "show", "table", "main")).Select(r =>
        {
            string dst = r.GetProperty("dst").GetString()!;
            var network = dst == "default" ? new IPNetwork(IPAddress.Any, 0) : IPNetwork.Parse(dst.Contains('/') ? dst : dst + "/32");
            int? oif = r.TryGetProperty("dev", out var dev) ? links.Single(l => l.Name == dev.GetString()).Index : null;
            IPAddress? gateway = r.TryGetProperty("gateway", out var gw) ? IPAddress.Parse(gw.GetString()!) : null;
            return new RouteInfo(network.BaseAddress, network.PrefixLength, oif, gateway);
        });
        Assert.Equal(ipRoutes.OrderBy(r => r.ToString()), routes.OrderBy(r => r.ToString()));
        Assert.Contains(new RouteInfo(IPAddress.Any, 0, links.Single(l => l.Name == "mdt-vp0").Index), routes);
        Assert.DoesNotContain(routes, r => r.Destination.Equals(IPAddress.Parse("10.201.0.0")));
    }

    [Fact]
    public void The_socket_stays_bound_to_the_namespace_it_was_opened_in()
    {
        using var a = new TestNetns("nla");
        using var b = new TestNetns("nlb");
        using var inA = OpenIn(a);
        using var inB = OpenIn(b);

        inA.CreateBridge("mdt-only-a");

        Assert.Contains("mdt-only-a", a.Exec("ip", "-o", "link", "show"));
        Assert.DoesNotContain("mdt-only-a", b.Exec("ip", "-o", "link", "show"));
        Assert.DoesNotContain("mdt-only-a", Command.Run("ip", ["-o", "link", "show"]));
        Assert.Null(inB.GetLink("mdt-only-a"));
        Assert.DoesNotContain(inB.ListLinks(), l => l.Name == "mdt-only-a");
        // The same name is free in the other namespace.
        inB.CreateBridge("mdt-only-a");
    }

    [Fact]
    public void A_veth_pair_puts_its_peer_directly_into_another_namespace()
    {
        using var host = new TestNetns("nlh");
        using var container = new TestNetns("nlc");
        using var nl = OpenIn(host);
        int bridge = nl.CreateBridge("mdt-br0");

        int fd = Libc.Check(Libc.Open(container.Path, Libc.O_RDONLY | Libc.O_CLOEXEC), "open netns", container.Path);
        int index;
        try { index = nl.CreateVethPair("mdt-vh0", "mdt-vp0", fd); }
        finally { Libc.Close(fd); }
        nl.SetMaster(index, bridge);

        Assert.StartsWith($"{index}: mdt-vh0@", host.Exec("ip", "link", "show", "mdt-vh0"));
        Assert.Matches(new Regex(@"^\s+veth\s", RegexOptions.Multiline), host.Exec("ip", "-d", "link", "show", "mdt-vh0"));
        Assert.Matches(new Regex(@"^\s+veth\s", RegexOptions.Multiline), container.Exec("ip", "-d", "link", "show", "mdt-vp0"));
        Assert.NotEqual(0, host.TryExec("ip", "link", "show", "mdt-vp0").ExitCode);
        Assert.Contains("mdt-vh0", host.Exec("ip", "link", "show", "master", "mdt-br0"));
        Assert.Equal(new LinkInfo(index, "mdt-vh0", "veth", null, false, bridge), nl.GetLink("mdt-vh0"));

        // Releasing from the bridge, then deleting the host side removes the peer too.
        nl.SetMaster(index, 0);
        Assert.Null(nl.GetLink("mdt-vh0")!.MasterIndex);
        Assert.True(nl.DeleteLink("mdt-vh0"));
        Assert.NotEqual(0, container.TryExec("ip", "link", "show", "mdt-vp0").ExitCode);
    }

    [Fact]
    public void A_veth_whose_peer_name_is_taken_fails_with_EEXIST_and_leaves_nothing()
    {
        using var host = new TestNetns("nlh");
        using var container = new TestNetns("nlc");
        container.Exec("ip", "link", "add", "mdt-vp0", "type", "bridge");
        using var nl = OpenIn(host);

        int fd = Libc.Check(Libc.Open(container.Path, Libc.O_RDONLY | Libc.O_CLOEXEC), "open netns", container.Path);
        try
        {
            var e = Assert.Throws<KernelExistsException>(() => nl.CreateVethPair("mdt-vh0", "mdt-vp0", fd));
            Assert.Equal(KernelException.EEXIST, e.Errno);
            Assert.Contains("mdt-vp0", e.Message);
        }
        finally { Libc.Close(fd); }
        Assert.Null(nl.GetLink("mdt-vh0"));
    }

    [Theory]
    [InlineData("mdt-name-too-long")]
    [InlineData("mdt/br")]
    [InlineData("mdt br")]
    [InlineData("..")]
    [InlineData("")]
    public void Invalid_names_are_refused_before_anything_is_sent(string name)
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        string before = ns.Exec("ip", "-o", "link", "show");

        Assert.Throws<ArgumentException>(() => nl.CreateBridge(name));
        Assert.Throws<ArgumentException>(() => nl.CreateVethPair("mdt-ok", name, -1));
        Assert.Throws<ArgumentException>(() => nl.DeleteLink(name));

        Assert.Equal(before, ns.Exec("ip", "-o", "link", "show"));
    }

    [Fact]
    public void A_large_dump_spans_many_datagrams_and_concurrent_callers_share_the_socket()
    {
        using var ns = new TestNetns("nl");
        using var nl = OpenIn(ns);
        const int Pairs = 150;

        var watch = Stopwatch.StartNew();
        Parallel.For(0, Pairs, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int index = nl.CreateVethPair($"mdt-h{i}", $"mdt-p{i}", -1);
            // Dumps interleave with creations from the other threads.
            if (i % 10 == 0) Assert.Contains(nl.ListLinks(), l => l.Index == index && l.Name == $"mdt-h{i}");
        });
        output.WriteLine($"{Pairs} veth pairs in {watch.ElapsedMilliseconds} ms");

        var links = nl.ListLinks();
        Assert.Equal(1 + 2 * Pairs, links.Count);
        Assert.Equal(links.Count, Json(ns.Exec("ip", "-j", "link", "show")).Count);
        Assert.Equal(Pairs, links.Count(l => l.Name.StartsWith("mdt-h") && l.Kind == "veth"));
    }

    [Fact]
    public void A_handler_failure_mid_dump_drains_the_dump_so_the_socket_stays_usable()
    {
        using var ns = new TestNetns("nl");
        for (int i = 0; i < 40; i++) ns.Exec("ip", "link", "add", $"mdt-d{i}", "type", "bridge");
        using var socket = ns.Run(() => NetlinkSocket.Open(Libc.NETLINK_ROUTE));

        byte[] request = DumpLinksRequest(socket.NextSequence());
        int seen = 0;
        Assert.Throws<FormatException>(() => socket.Dump("list", request, _ => throw new FormatException("parser bug " + ++seen)));
        Assert.Equal(1, seen);

        // Had the rest of the first dump stayed queued, the kernel would refuse this one with EBUSY.
        int count = 0;
        Assert.True(socket.Dump("list", DumpLinksRequest(socket.NextSequence()), m => { if (RtNetlinkReplies.ParseLink(m) is not null) count++; }));
        Assert.Equal(41, count);
    }

    private static byte[] DumpLinksRequest(uint sequence)
    {
        Span<byte> buffer = stackalloc byte[64];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.DumpLinks(ref w, sequence);
        return w.Written.ToArray();
    }

    [Fact]
    public void Dispose_closes_the_socket()
    {
        using var ns = new TestNetns("nl");
        int before = Directory.GetFiles("/proc/self/fd").Length;
        for (int i = 0; i < 50; i++) OpenIn(ns).Dispose();
        Assert.InRange(Directory.GetFiles("/proc/self/fd").Length, 0, before + 5);

        var nl = OpenIn(ns);
        nl.Dispose();
        nl.Dispose();
        Assert.Throws<ObjectDisposedException>(() => nl.ListLinks());
    }

    private static List<JsonElement> Json(string text) => JsonDocument.Parse(text).RootElement.EnumerateArray().ToList();
}
