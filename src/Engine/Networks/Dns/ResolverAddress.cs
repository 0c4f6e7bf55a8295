using System.Net;

namespace MyDocker.Engine.Networks.Dns;

/// <summary>
/// The one address every container on a user-defined network asks for names: 169.254.53.53 on the host's loopback,
/// reached through the container's default route. One socket serves every network, and a container's resolv.conf never
/// changes when it joins or leaves a network (a gateway address would vanish with its network). Link-local, so
/// <see cref="NetworkPlanner"/> never hands it to a network; the same idea as AWS's VPC resolver at 169.254.169.253.
/// The issue-13 spike measured it (spike/dns/NOTES.md, "Where the resolver listens").
/// </summary>
public static class ResolverAddress
{
    public const string Text = "169.254.53.53";

    public static readonly IPAddress Value = IPAddress.Parse(Text);

    /// <summary>DNS.</summary>
    public const int Port = 53;
}
