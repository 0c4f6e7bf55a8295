using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.Engine.Kernel;

/// <summary>
/// Network sysctls. /proc/sys/net is per network namespace, resolved from the opening thread's namespace, so an
/// engine embedded in a process whose threads live elsewhere (an in-process test) passes the namespace it manages.
/// </summary>
/// <param name="netnsPath">The namespace to write in (e.g. /run/netns/NAME), or null for the process's own.</param>
public sealed class Sysctl(string? netnsPath = null)
{
    /// <summary>Bridge networks route between the bridge and the uplink, which needs IPv4 forwarding on.</summary>
    public void EnableIPv4Forwarding()
    {
        static bool Write()
        {
            const string path = "/proc/sys/net/ipv4/ip_forward";
            if (File.ReadAllText(path).Trim() != "1") File.WriteAllText(path, "1");
            return true;
        }
        if (netnsPath is null) Write();
        else NetnsThread.Run(netnsPath, Write);
    }
}
