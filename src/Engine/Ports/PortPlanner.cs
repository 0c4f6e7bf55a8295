using MyDocker.Shared.Ports;

namespace MyDocker.Engine.Ports;

/// <summary>Checks a container's port requests before anything is made. Pure; unit-tested.</summary>
public static class PortPlanner
{
    /// <summary>Refuses what no host could give: ports on an --internal network, and two requests for the same fixed
    /// host port (a wildcard address covers every specific one).</summary>
    public static void Validate(IReadOnlyList<PortRequest> requests, string networkName, bool internalNetwork)
    {
        if (requests.Count == 0) return;
        if (internalNetwork)
            throw EngineException.Invalid(
                $"network '{networkName}' is internal: nothing outside it can reach its containers, so they cannot publish ports; leave -p out or use another network");
        var fixedPorts = requests.Where(r => !r.EnginePicks && r.HostPortFirst == r.HostPortLast).ToList();
        for (int i = 0; i < fixedPorts.Count; i++)
            for (int j = i + 1; j < fixedPorts.Count; j++)
            {
                var a = fixedPorts[i];
                var b = fixedPorts[j];
                var pa = new PublishedPort(a.Protocol, a.HostIp, a.HostPortFirst, a.ContainerPort);
                if (pa.CollidesWith(b.Protocol, b.HostIp, b.HostPortFirst))
                    throw EngineException.Invalid(
                        $"-p {a} and -p {b} both publish {b.HostPortFirst}/{b.Protocol} on {(a.HostIp == b.HostIp ? a.HostIp : PublishedPort.AnyAddress)}; give each a different host port");
            }
    }
}
