namespace MyDocker.Engine.Kernel;

/// <summary>Network sysctls. /proc/sys/net is per network namespace: a write affects the namespace of the writer.</summary>
public static class Sysctl
{
    /// <summary>Bridge networks route between the bridge and the uplink, which needs IPv4 forwarding on.</summary>
    public static void EnableIPv4Forwarding()
    {
        const string path = "/proc/sys/net/ipv4/ip_forward";
        if (File.ReadAllText(path).Trim() != "1") File.WriteAllText(path, "1");
    }
}
