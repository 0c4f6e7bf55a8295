using System.Net;
using MyDocker.Engine.Networks.Firewall;

namespace MyDocker.Engine.Ports;

/// <summary>A port a container asks to publish (`-p`, Docker's PortBindings), before the engine chose free host ports.</summary>
/// <param name="Protocol">"tcp" or "udp".</param>
/// <param name="HostIp">"0.0.0.0" (every host address) or one IPv4 address of the host.</param>
/// <param name="HostPortFirst">First port of the host range; 0 (with <paramref name="HostPortLast"/> 0): the engine
/// picks one from the host's ephemeral range.</param>
/// <param name="HostPortLast">Last port of the host range (equal to the first for one port); the engine takes the
/// first free port of the range.</param>
public sealed record PortRequest(string Protocol, string HostIp, int HostPortFirst, int HostPortLast, int ContainerPort)
{
    public bool EnginePicks => HostPortFirst == 0;

    public override string ToString() =>
        $"{HostIp}:{(EnginePicks ? "" : HostPortFirst == HostPortLast ? HostPortFirst.ToString() : $"{HostPortFirst}-{HostPortLast}")}:{ContainerPort}/{Protocol}";
}

/// <summary>A port a container publishes, with the host port chosen (stored in the container's spec: it keeps the same
/// ports from create to rm, across restarts of the container and of the daemon).</summary>
public sealed record PublishedPort(string Protocol, string HostIp, int HostPort, int ContainerPort)
{
    public const string AnyAddress = "0.0.0.0";

    public bool OnEveryAddress => HostIp == AnyAddress;

    /// <summary>Two bindings collide when they share protocol and port and one address covers the other (0.0.0.0 covers
    /// every address), as the kernel's bind rules decide.</summary>
    public bool CollidesWith(string protocol, string hostIp, int hostPort) =>
        Protocol == protocol && HostPort == hostPort && (HostIp == hostIp || OnEveryAddress || hostIp == AnyAddress);

    /// <summary>"8080/tcp on 127.0.0.1": how errors name it.</summary>
    public string Describe() => $"{HostPort}/{Protocol} on {HostIp}";

    public PortMapping ToMapping(IPAddress containerIp) =>
        new(Protocol, OnEveryAddress ? null : IPAddress.Parse(HostIp), HostPort, containerIp, ContainerPort);

    public override string ToString() => $"{HostIp}:{HostPort}->{ContainerPort}/{Protocol}";
}
