using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// Another tool's firewall drops forwarded traffic by default, as Docker does (iptables FORWARD policy DROP, table
/// ip filter through iptables-nft), in the daemon's netns: published ports and egress still work, the other tool's
/// rules stay, and the doctor names the chain.
/// </summary>
public sealed class PortForeignFirewallTests : IDisposable
{
    private readonly PortLab _lab = new();
    private DaemonUnderTest D => _lab.D;

    public void Dispose() => _lab.Dispose();

    private bool Egress(string network) => D.PingFrom(network, PortLab.UpstreamIp);

    private void DockerLikeForwardDrop()
    {
        D.Netns.Exec("iptables", "-P", "FORWARD", "DROP");
        // One rule of the other tool's own, which must survive everything MyDocker does.
        D.Netns.Exec("iptables", "-A", "FORWARD", "-i", "other0", "-j", "ACCEPT");
    }

    [Fact]
    public void A_network_made_after_the_drop_policy_publishes_and_egresses_and_the_doctor_names_the_chain()
    {
        DockerLikeForwardDrop();
        D.CliOk("network", "create", "--subnet", "10.93.7.0/24", "late");
        _lab.RunServer("fw1", "W", "late", "18301:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18301, "W");
        Assert.True(Egress("late"), "egress from the new network passes the foreign DROP policy");

        // The chain is named, and counted as covered by our accept rules (so the doctor exits 0).
        var doctor = D.Cli("system", "doctor");
        Assert.Equal(0, doctor.ExitCode);
        Assert.Contains("ip filter FORWARD", doctor.Stdout);
        Assert.Contains("policy is DROP", doctor.Stdout);
        string rules = D.Netns.Exec("iptables", "-S", "FORWARD");
        Assert.Contains("-P FORWARD DROP", rules);
        Assert.Contains("-A FORWARD -i other0 -j ACCEPT", rules);
        string bridge = D.InspectNetworkBridge("late");
        Assert.Contains($"-A FORWARD -i {bridge} -m comment --comment mydocker -j ACCEPT", rules);

        // Removing the container and the network takes our accept rules away (in the background, like the bridge
        // device: deleting by specification reads the whole chain) and leaves the other tool's.
        D.CliOk("rm", "-f", "fw1");
        D.CliOk("network", "rm", "late");
        D.Eventually(() => !D.Netns.Exec("iptables", "-S", "FORWARD").Contains(bridge), "the removed network's accept rules are deleted");
        Assert.Contains("-A FORWARD -i other0 -j ACCEPT", D.Netns.Exec("iptables", "-S", "FORWARD"));
    }

    [Fact]
    public void A_drop_policy_set_after_the_networks_is_opened_for_them_while_the_daemon_runs()
    {
        _lab.RunServer("fw2", "V", PortLab.NetA, "18302:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18302, "V");
        DockerLikeForwardDrop();
        // The daemon's firewall watch adds its accept rules on the kernel's notification of the policy change (without
        // them the request is dropped: ForeignFirewallTests shows the same flow failing before Open).
        D.Eventually(() => PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18302, timeoutSeconds: 1).Body.StartsWith("V "), "the published port works again under the DROP policy");
        Assert.True(Egress(PortLab.NetA), "egress passes the foreign DROP policy");
        Assert.Contains("-A FORWARD -i other0 -j ACCEPT", D.Netns.Exec("iptables", "-S", "FORWARD"));
        D.CliOk("rm", "-f", "fw2");
    }
}
