using MyDocker.Engine.Kernel;
using MyDocker.Engine.Networks.Firewall;

namespace MyDocker.Engine.Networks;

/// <summary>
/// IPv4 forwarding, which bridge networks need, without making the host a router between its other interfaces.
/// <para>ip_forward is one switch for every interface. When the engine is the one that turns it from 0 to 1, it records
/// that in the exec root, and while the record exists the engine's firewall drops forwarded traffic that touches no
/// engine bridge (<see cref="IFirewall.DropHostRouting"/>), so traffic between two other interfaces is dropped as it was
/// before. When forwarding was already on, the host was a router by its administrator's choice: the engine leaves it
/// and records nothing. Docker does the same with its FORWARD policy (moby libnetwork
/// drivers/bridge/setup_ip_forwarding.go: policy DROP only when dockerd itself enabled ip_forward).</para>
/// <para>The record lives in the exec root, a tmpfs: it and ip_forward both reset at boot, so across daemon restarts
/// the record stays true. Deleting it (then `mydocker system reconcile`) is the administrator's way to say "this host
/// routes": the drop goes with the next rebuild of the table.</para>
/// <para>Another engine started after this one (dockerd) finds ip_forward already 1, so it does not set its own FORWARD
/// policy to DROP — and this engine's drop then also drops its bridges' forwarded traffic (docker0 is not one of ours):
/// its containers lose egress and published ports. A host that runs both should turn forwarding on itself before either
/// starts (net.ipv4.ip_forward=1 in sysctl.conf), so that neither engine owns it and neither drops.</para>
/// <para>When no network needs forwarding any more, the reconciler turns it back off if the engine had turned it on
/// (<see cref="ReleaseIfOwned"/>), before it removes the table that held the drop.</para>
/// </summary>
public sealed class HostForwarding(ISysctl sysctl, EngineOptions options)
{
    /// <summary>The record's file name in the exec root.</summary>
    public const string RecordName = "ipv4-forwarding-enabled-by-mydocker";

    private readonly string _record = Path.Combine(options.ExecRoot, RecordName);

    /// <summary>True while the record says the engine turned forwarding on (a file check: the firewall asks on every rebuild).</summary>
    public bool OwnedByEngine => File.Exists(_record);

    /// <summary>
    /// Turns IPv4 forwarding on. When it is off, the record is written and the firewall's drop put in place first, so
    /// the kernel never forwards between other interfaces, not even for a moment; a crash in between leaves forwarding
    /// off and the next call finishes. Nothing to do when it is on already (ours, with the drop in the table, or the host's).
    /// </summary>
    public void Enable(IFirewall firewall)
    {
        if (sysctl.IPv4Forwarding) return;
        Directory.CreateDirectory(options.ExecRoot);
        File.WriteAllText(_record, "net.ipv4.ip_forward was 0; mydockerd turned it on and drops routing between non-engine interfaces while this file exists\n");
        firewall.DropHostRouting();
        sysctl.SetIPv4Forwarding(true);
    }

    /// <summary>Turns forwarding back off and deletes the record, if the engine had turned it on; returns whether it did.
    /// Forwarding goes off before the record (and the caller's table) go, so the host never routes in between.</summary>
    public bool ReleaseIfOwned()
    {
        if (!OwnedByEngine) return false;
        sysctl.SetIPv4Forwarding(false);
        File.Delete(_record);
        return true;
    }
}
