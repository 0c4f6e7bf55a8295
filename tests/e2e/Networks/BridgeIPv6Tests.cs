using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// H3: networks are IPv4 only, so IPv6 is off where containers could use it against the host or each other: a bridge
/// takes no router advertisement (CVE-2020-13401: a container's RA would give the host a default route through the
/// container and an address from its prefix) and has IPv6 off, also after the reconciler re-creates it; a container's
/// eth0 has IPv6 off. The RAs are sent as raw frames (tests/e2e/Fixtures/forge.c) from inside the container's network
/// namespace, as a container with CAP_NET_RAW can.
/// </summary>
public sealed class BridgeIPv6Tests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("ra").WithBusybox();
    private readonly TestNetns _neighbour = new("rac");

    public void Dispose()
    {
        _d.Dispose();
        _neighbour.Dispose();
    }

    private string Conf(string device, string key) => _d.Netns.Exec("cat", $"/proc/sys/net/ipv6/conf/{device}/{key}").Trim();

    [Fact]
    public void H3_a_containers_router_advertisement_changes_nothing_on_the_host_and_bridges_keep_IPv6_off_after_repair()
    {
        _d.CliOk("network", "create", "--subnet", "10.95.1.0/24", "v4");
        string bridge = _d.InspectNetworkBridge("v4");
        Assert.Equal(("0", "1"), (Conf(bridge, "accept_ra"), Conf(bridge, "disable_ipv6")));
        string id = _d.RunDetached("--network", "v4", "busybox", "sleep", "600");
        Assert.Equal("1", _d.InContainerNetns(id, "cat", "/proc/sys/net/ipv6/conf/eth0/disable_ipv6").Stdout.Trim());

        var sent = _d.InContainerNetns(id, Fixture.Program("forge"), "ra", "eth0");
        Assert.True(sent.ExitCode == 0, sent.Stderr);

        // Control on the same host: a bridge that is not the engine's, with the kernel's defaults, takes the same RA from a
        // neighbour — so the sender works and the host would act on it; it is the engine's settings that refuse it.
        _d.Netns.Exec("ip", "link", "add", "mdt-ctl0", "type", "bridge");
        _d.Netns.Exec("ip", "link", "add", "mdt-ctlp", "type", "veth", "peer", "name", "eth0", "netns", _neighbour.Name);
        _d.Netns.Exec("ip", "link", "set", "mdt-ctlp", "master", "mdt-ctl0");
        foreach (var dev in new[] { "mdt-ctlp", "mdt-ctl0" }) _d.Netns.Exec("ip", "link", "set", dev, "up");
        _neighbour.Exec("ip", "link", "set", "eth0", "up");
        _d.Eventually(() =>
        {
            _neighbour.Exec(Fixture.Program("forge"), "ra", "eth0");
            return _d.Netns.Exec("ip", "-6", "route", "show", "default").Contains("dev mdt-ctl0 proto ra");
        }, "the control bridge takes the neighbour's router advertisement");

        // The only default route is the control's: none through the engine's bridge or a container's veth.
        var defaults = _d.Netns.Exec("ip", "-6", "route", "show", "default").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(defaults, route => Assert.Contains("dev mdt-ctl0 ", route));
        Assert.Empty(_d.Netns.Exec("ip", "-6", "addr", "show", "dev", bridge).Trim());
        Assert.Empty(_d.Netns.Exec("ip", "-6", "addr", "show", "scope", "global", "dev", "mdv" + id[..12]).Trim());

        // The reconciler re-creates a deleted bridge with the same settings.
        _d.Netns.Exec("ip", "link", "del", bridge);
        Assert.Contains($"bridge {bridge} of network 'v4' re-created", _d.CliOk("system", "reconcile"));
        Assert.Equal(("0", "1"), (Conf(bridge, "accept_ra"), Conf(bridge, "disable_ipv6")));
        // And one whose settings someone changed gets them back.
        _d.Netns.Exec("sh", "-c", $"echo 0 > /proc/sys/net/ipv6/conf/{bridge}/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/{bridge}/accept_ra");
        Assert.Contains($"IPv6 turned off on bridge {bridge}", _d.CliOk("system", "reconcile"));
        Assert.Equal(("0", "1"), (Conf(bridge, "accept_ra"), Conf(bridge, "disable_ipv6")));
    }
}
