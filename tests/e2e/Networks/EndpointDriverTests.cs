using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Networks.Bridge;
using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;

namespace MyDocker.E2ETests.Networks;

/// <summary>
/// Container endpoints for real: a TestNetns plays the host (bridge mdt-br0 10.77.0.1/24, made with `ip`, and the
/// driver's host-side netlink socket opened there); each container gets an engine netns from a
/// <see cref="NetnsStore"/> under /tmp/mydocker-e2e-*. Traffic only ever crosses that bridge.
/// </summary>
public sealed class EndpointDriverTests : IAsyncLifetime
{
    private const string Bridge = "mdt-br0";
    private static readonly IPAddress Gateway = IPAddress.Parse("10.77.0.1");

    private readonly TestNetns _host = new("ep");
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-e2e-ep-").FullName;
    private readonly NetnsStore _store;
    private readonly RtNetlink _nl;
    private readonly LinkReaper _reaper;
    private readonly EndpointDriver _driver;

    public EndpointDriverTests()
    {
        _store = new NetnsStore(Path.Combine(_root, "netns"));
        _host.Exec("ip", "link", "add", Bridge, "type", "bridge");
        _host.Exec("ip", "addr", "add", "10.77.0.1/24", "dev", Bridge);
        _host.Exec("ip", "link", "set", Bridge, "up");
        _nl = RtNetlink.OpenInNetns(_host.Path);
        _reaper = new LinkReaper(_nl, NullLogger<LinkReaper>.Instance);
        _driver = new EndpointDriver(_nl, _reaper);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _reaper.DisposeAsync();
        _nl.Dispose();
        foreach (var name in _store.List()) _store.Remove(name);
        foreach (var mount in OverlayMount.MountedUnder(_root).Reverse()) OverlayMount.Unmount(mount);
        _host.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private EndpointPlan NewPlan(string address, string bridge = Bridge)
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string netns = _store.Create(id[..12]);
        return new EndpointPlan(id, netns, bridge, IPAddress.Parse(address), 24, Gateway);
    }

    private EndpointPlan SetUp(string address)
    {
        var plan = NewPlan(address);
        using var scope = new RollbackScope(NullLogger.Instance, "test endpoint");
        _driver.Setup(plan, scope);
        scope.Complete();
        return plan;
    }

    private static string In(EndpointPlan plan, params string[] args) => Command.Run("nsenter", ["--net=" + plan.NetnsPath, .. args]);

    /// <summary>One ICMP echo, retried on failure a few times (ARP on a fresh link can eat the first).</summary>
    private static bool Ping(Func<string[], int> run, string address)
    {
        for (int i = 0; i < 3; i++)
            if (run(["busybox", "ping", "-c", "1", "-W", "1", address]) == 0) return true;
        return false;
    }

    private static bool PingFrom(EndpointPlan plan, string address) =>
        Ping(args => Command.TryRun("nsenter", ["--net=" + plan.NetnsPath, .. args]).ExitCode, address);

    private bool PingFromHost(string address) => Ping(args => _host.TryExec(args[0], args[1..]).ExitCode, address);

    private List<string> HostVeths() => _nl.ListLinks().Where(l => l.Name.StartsWith(EndpointDriver.HostVethPrefix)).Select(l => l.Name).ToList();

    [Fact]
    public void Two_endpoints_on_a_bridge_reach_each_other_and_the_host_reaches_both()
    {
        var a = SetUp("10.77.0.2");
        var b = SetUp("10.77.0.3");

        Assert.True(PingFrom(a, "10.77.0.3"));
        Assert.True(PingFrom(b, "10.77.0.2"));
        Assert.True(PingFromHost("10.77.0.2"));
        Assert.True(PingFromHost("10.77.0.3"));
        Assert.True(PingFrom(a, "10.77.0.1"));

        // Inside: eth0 with the MAC, address and default route; lo up.
        string eth0 = In(a, "ip", "addr", "show", "eth0");
        Assert.Contains("link/ether 02:42:0a:4d:00:02", eth0);
        Assert.Contains("inet 10.77.0.2/24 brd 10.77.0.255 scope global eth0", eth0);
        Assert.Matches(@"<[A-Z_,]*\bUP\b", eth0);
        Assert.Contains("default via 10.77.0.1 dev eth0", In(a, "ip", "-4", "route"));
        Assert.Matches(@"<LOOPBACK,UP", In(a, "ip", "link", "show", "lo"));
        Assert.True(PingFrom(a, "127.0.0.1"));
        Assert.Equal(["eth0", "lo"], In(a, "ip", "-o", "link", "show").Trim().Split('\n').Select(l => l.Split(':')[1].Trim().Split('@')[0]).Order());

        // Host: the veth is named after the id, marked with its alias, a port of the bridge, up.
        var bridge = _nl.GetLink(Bridge)!;
        var host = _nl.GetLink(a.HostVeth)!;
        Assert.Equal(new LinkInfo(host.Index, "mdv" + a.ContainerId[..12], "veth", "mydocker:ctr:" + a.ContainerId, true, bridge.Index), host);
        Assert.Equal([a.ContainerId], EndpointDriver.OrphanVeths(_nl.ListLinks(), new HashSet<string> { b.ContainerId }.Contains).Select(EndpointDriver.ContainerIdOf));
    }

    [Fact]
    public async Task Teardown_leaves_no_veth_and_the_netns_store_no_mount_or_file()
    {
        var a = SetUp("10.77.0.2");
        var t = new Teardown();
        _driver.Teardown(a.ContainerId, 0, t);
        t.ThrowIfFailed("test teardown");
        // Off the bridge at once, deleted in the background.
        Assert.Null(_nl.GetLink(a.HostVeth)?.MasterIndex);
        await _reaper.DrainAsync();
        Assert.Empty(HostVeths());
        Assert.Equal(["lo"], In(a, "ip", "-o", "link", "show").Trim().Split('\n').Select(l => l.Split(':')[1].Trim()));

        string name = Path.GetFileName(a.NetnsPath);
        _store.Remove(name);
        Assert.False(File.Exists(a.NetnsPath));
        Assert.Empty(OverlayMount.MountedUnder(_root));

        // Everything again: already gone is success.
        var again = new Teardown();
        _driver.Teardown(a.ContainerId, 0, again);
        _driver.Teardown(a.ContainerId, 0, again, deleteNow: true);
        Assert.Empty(again.Failures);
        _store.Remove(name);
    }

    [Fact]
    public void A_missing_bridge_is_NotFound_before_anything_is_made()
    {
        var plan = NewPlan("10.77.0.2", bridge: "mdt-nobr");
        using (var scope = new RollbackScope(NullLogger.Instance, "test endpoint"))
        {
            var e = Assert.Throws<EngineException>(() => _driver.Setup(plan, scope));
            Assert.Equal(ErrorKind.NotFound, e.Kind);
            Assert.Contains("mdt-nobr", e.Message);
        }
        Assert.Empty(HostVeths());
        Assert.Equal(["lo"], In(plan, "ip", "-o", "link", "show").Trim().Split('\n').Select(l => l.Split(':')[1].Trim()));
    }

    [Fact]
    public async Task A_step_failing_inside_the_netns_rolls_the_pair_back()
    {
        var plan = NewPlan("10.77.0.2");
        // Make the last step (the default route) fail: one exists already.
        In(plan, "ip", "link", "set", "lo", "up");
        In(plan, "ip", "route", "add", "default", "dev", "lo");
        using (var scope = new RollbackScope(NullLogger.Instance, "test endpoint"))
        {
            var e = Assert.Throws<KernelExistsException>(() => _driver.Setup(plan, scope));
            Assert.Equal(KernelException.EEXIST, e.Errno);
        }
        await _reaper.DrainAsync();
        Assert.Empty(HostVeths());
        Assert.DoesNotContain("eth0", In(plan, "ip", "-o", "link", "show"));
    }

    [Fact]
    public void Repair_restores_a_deleted_route_a_veth_off_the_bridge_and_a_deleted_pair()
    {
        var a = SetUp("10.77.0.2");
        Assert.Empty(_driver.Repair(a));

        In(a, "ip", "route", "del", "default");
        Assert.Contains(_driver.Repair(a), r => r.Contains("default route via 10.77.0.1"));
        Assert.Contains("default via 10.77.0.1 dev eth0", In(a, "ip", "-4", "route"));

        _host.Exec("ip", "link", "set", a.HostVeth, "nomaster");
        _host.Exec("ip", "link", "set", a.HostVeth, "down");
        var repaired = _driver.Repair(a, _nl.ListLinks());
        Assert.Contains(repaired, r => r.Contains("put back on bridge mdt-br0"));
        Assert.Contains(repaired, r => r.Contains("brought up"));
        Assert.True(PingFromHost("10.77.0.2"));

        In(a, "ip", "addr", "flush", "dev", "eth0");
        In(a, "ip", "link", "set", "lo", "down");
        repaired = _driver.Repair(a);
        Assert.Contains(repaired, r => r.Contains("address 10.77.0.2/24"));
        Assert.Contains(repaired, r => r.Contains("default route"));
        Assert.Contains(repaired, r => r.Contains("lo of"));
        Assert.True(PingFromHost("10.77.0.2"));

        _host.Exec("ip", "link", "del", a.HostVeth);
        Assert.Equal([$"veth pair {a.HostVeth}/eth0 of container {a.ContainerId[..12]} re-created"], _driver.Repair(a));
        Assert.Contains("link/ether 02:42:0a:4d:00:02", In(a, "ip", "link", "show", "eth0"));
        Assert.True(PingFromHost("10.77.0.2"));
        Assert.Empty(_driver.Repair(a));
    }

    [Fact]
    public void Repair_leaves_a_device_that_is_not_ours_alone()
    {
        var plan = NewPlan("10.77.0.2");
        _host.Exec("ip", "link", "add", plan.HostVeth, "type", "bridge");
        var e = Assert.Throws<EngineException>(() => _driver.Repair(plan));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.NotNull(_nl.GetLink(plan.HostVeth));

        var t = new Teardown();
        _driver.Teardown(plan.ContainerId, 0, t);
        Assert.Single(Assert.Throws<TeardownException>(() => t.ThrowIfFailed("test teardown")).Failures);
        Assert.NotNull(_nl.GetLink(plan.HostVeth));
    }
}
