using System.Net;

namespace MyDocker.Engine.Containers.Dns;

/// <summary>
/// Where containers on user-defined networks send their DNS queries: the engine's resolver listens on this one
/// link-local address (on the host's loopback, reached through each container's default route), whatever networks the
/// container is on, so its resolv.conf never changes when it connects or disconnects (dns13 spike, NOTES.md "Where the
/// resolver listens"; NetworkPlanner refuses 169.254.0.0/16 subnets, so no network can hold it).
/// </summary>
public static class ResolverAddress
{
    public const string Text = "169.254.53.53";

    public static readonly IPAddress Value = IPAddress.Parse(Text);
}
