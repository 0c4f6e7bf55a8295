using System.Globalization;

namespace MyDocker.Shared.Ports;

/// <summary>
/// A container port to publish on the host, before the engine chose a free host port: the one port value that the CLI's
/// <c>-p</c> parser (<see cref="PublishSpec"/>), the API's mapping of Docker's PortBindings and the dashboard's run form
/// produce, and the engine reserves and stores. Immutable. The property names are stored in the container's spec (JSON).
/// </summary>
/// <param name="Protocol"><see cref="PublishSpec.Tcp"/> or <see cref="PublishSpec.Udp"/>.</param>
/// <param name="HostIp">A dotted-quad IPv4 address of the host, <see cref="AnyAddress"/> for every address; "" (no
/// address given, as Docker's PortBindings and <c>-p</c> carry it) only before the API hands it to the engine, which
/// spells it 0.0.0.0; the run form gives its row's address.</param>
/// <param name="HostPortFirst">First port of the host range; 0 (with <paramref name="HostPortLast"/> 0): the engine
/// picks one from the host's ephemeral range.</param>
/// <param name="HostPortLast">Last port of the host range (equal to the first for one port); the engine takes the
/// first free port of the range (Docker's <c>-p 8000-8010:80</c>).</param>
/// <param name="ContainerPort">1-65535.</param>
public sealed record PortRequest(string Protocol, string HostIp, int HostPortFirst, int HostPortLast, int ContainerPort)
{
    /// <summary>Every address of the host.</summary>
    public const string AnyAddress = "0.0.0.0";

    public bool EnginePicks => HostPortFirst == 0;

    /// <summary>Docker's port key: <c>80/tcp</c> (the ExposedPorts / PortBindings key).</summary>
    public string PortKey => ContainerPort.ToString(CultureInfo.InvariantCulture) + "/" + Protocol;

    /// <summary>Docker's HostPort string: <c>8080</c>, <c>8000-8010</c>, or "" when the engine picks.</summary>
    public string HostPort => HostPortFirst == 0 ? ""
        : HostPortFirst == HostPortLast ? HostPortFirst.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{HostPortFirst}-{HostPortLast}");

    /// <summary><c>0.0.0.0:8080:80/tcp</c>: how the engine's errors name it.</summary>
    public override string ToString() => $"{HostIp}:{HostPort}:{ContainerPort}/{Protocol}";
}
