using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// Another tool changes the firewall under the running daemon: `nft flush ruleset`, and what starting Docker does
/// (`iptables -P FORWARD DROP`). Published ports and egress work again after a bounded wait, and the repair was made
/// on the kernel's notification of that very change (its log names the process), once, never on the engine's own
/// transactions. The watch's debug log lists every check it makes.
/// </summary>
public sealed class PortDriftTests : IDisposable
{
    private readonly PortLab _lab = new();
    private DaemonUnderTest D => _lab.D;

    public PortDriftTests()
    {
        D.ExtraEnv["Logging__LogLevel__MyDocker.Engine.Networks.Firewall.FirewallWatch"] = "Debug";
        D.Restart();
    }

    public void Dispose() => _lab.Dispose();

    private List<string> Checks => D.LogLinesWith("Checking the firewall after");

    [Fact]
    public void After_nft_flush_ruleset_published_ports_and_egress_work_again_repaired_on_the_kernels_notification()
    {
        _lab.RunServer("drift1", "N", PortLab.NetA, "18401:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18401, "N");

        D.Netns.Exec("nft", "flush", "ruleset");
        D.Eventually(() => PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18401, timeoutSeconds: 1).Body.StartsWith("N ", StringComparison.Ordinal),
            "the published port works again after nft flush ruleset");
        Assert.True(D.PingFrom(PortLab.NetA, PortLab.UpstreamIp), "egress works again");
        Assert.Single(D.LogLinesWith("Firewall repaired after a change by nft (pid"));

        // The repair and everything the engine does later are its own transactions: none is checked, none repaired.
        D.CliOk("network", "create", "--subnet", "10.93.9.0/24", "own");
        D.CliOk("network", "rm", "own");
        Assert.Single(D.LogLinesWith("Firewall repaired"));
        Assert.All(Checks, l => Assert.Contains("a change by nft (pid", l));
        Assert.Single(Checks);
    }

    [Fact]
    public void After_iptables_P_FORWARD_DROP_published_ports_and_egress_work_again_repaired_on_the_kernels_notification()
    {
        _lab.RunServer("drift2", "I", PortLab.NetA, "18402:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18402, "I");

        D.Netns.Exec("iptables", "-P", "FORWARD", "DROP");
        D.Eventually(() => PortLab.Http(_lab.Lan, PortLab.HostLanIp, 18402, timeoutSeconds: 1).Body.StartsWith("I ", StringComparison.Ordinal),
            "the published port works again after iptables -P FORWARD DROP");
        Assert.True(D.PingFrom(PortLab.NetA, PortLab.UpstreamIp), "egress passes the drop policy again");
        Assert.Single(D.LogLinesWith("Firewall repaired after a change by iptables (pid"));

        // Under the drop policy the engine's own iptables-restore runs put a new network's rules in and take them out
        // again: its own transactions, never checked.
        D.CliOk("network", "create", "--subnet", "10.93.8.0/24", "own");
        string bridge = D.InspectNetworkBridge("own");
        Assert.Contains($"-A FORWARD -i {bridge} -m comment --comment mydocker -j ACCEPT", D.Netns.Exec("iptables", "-S", "FORWARD"));
        D.CliOk("network", "rm", "own");
        D.Eventually(() => !D.Netns.Exec("iptables", "-S", "FORWARD").Contains(bridge), "the removed network's rules are deleted in the background");
        Assert.Single(D.LogLinesWith("Firewall repaired"));
        Assert.All(Checks, l => Assert.Contains("a change by iptables (pid", l));
        Assert.Single(Checks);
    }
}
