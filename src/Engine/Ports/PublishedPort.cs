using System.Net;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Shared.Ports;

namespace MyDocker.Engine.Ports;

/// <summary>A port a container publishes, with the host port chosen (stored in the container's spec: it keeps the same
/// ports from create to rm, across restarts of the container and of the daemon).</summary>
public sealed record PublishedPort(string Protocol, string HostIp, int HostPort, int ContainerPort)
{
    public const string AnyAddress = PortRequest.AnyAddress;

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
