using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.Cli;

/// <summary>Docker's <c>ExposedPorts</c> and <c>HostConfig.PortBindings</c> for a set of port requests; keys in first-seen order.</summary>
public sealed record PortMaps(Dictionary<string, EmptyObject> ExposedPorts, Dictionary<string, List<PortBinding>?> PortBindings);

public sealed partial class DaemonClient
{
    /// <summary>
    /// The wire form of <c>-p</c> requests, Docker's create-request maps: every port key once in ExposedPorts, and in
    /// PortBindings one binding per request of that key, in the given order (the same port published twice, e.g. on two
    /// addresses, is two bindings under one key, as <c>nat.ParsePortSpecs</c> builds it). New dictionaries on each call.
    /// </summary>
    public static PortMaps ToDockerMaps(IEnumerable<PortRequest> requests)
    {
        var exposed = new Dictionary<string, EmptyObject>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, List<PortBinding>?>(StringComparer.Ordinal);
        foreach (var p in requests)
        {
            string key = p.PortKey;
            var binding = new PortBinding { HostIp = p.HostIp, HostPort = p.HostPort };
            exposed.TryAdd(key, new EmptyObject());
            if (bindings.TryGetValue(key, out var list) && list is not null) list.Add(binding);
            else bindings[key] = [binding];
        }
        return new PortMaps(exposed, bindings);
    }
}
