using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.Web.Api;

/// <summary>Between Docker's port shapes (HostConfig.PortBindings, NetworkSettings.Ports) and the engine's
/// <see cref="PortRequest"/> and published ports: Docker's dictionaries exist on this edge only.</summary>
public static partial class ContainerMapping
{
    /// <summary>{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} → requests, in a stable order. A key with a null or
    /// empty list publishes nothing (Docker: exposed only).</summary>
    public static List<PortRequest> PortRequests(IReadOnlyDictionary<string, List<PortBinding>?>? bindings)
    {
        var requests = new List<PortRequest>();
        foreach (var (key, list) in bindings ?? new Dictionary<string, List<PortBinding>?>())
        {
            var (containerPort, protocol) = ParseKey(key);
            foreach (var binding in list ?? [])
            {
                string hostIp = ParseHostIp(binding.HostIp, key);
                var (first, last) = ParseHostPort(binding.HostPort, key);
                requests.Add(new PortRequest(protocol, hostIp, first, last, containerPort));
            }
        }
        return requests;
    }

    /// <summary>Docker's port map: "80/tcp" → [{HostIp, HostPort}], in the order the ports were published.</summary>
    private static Dictionary<string, List<PortBinding>?> PortMap(ContainerSpec spec)
    {
        var map = new Dictionary<string, List<PortBinding>?>();
        foreach (var p in spec.Ports)
        {
            string key = $"{p.ContainerPort}/{p.Protocol}";
            if (!map.TryGetValue(key, out var list) || list is null) map[key] = list = [];
            list.Add(new PortBinding { HostIp = p.HostIp, HostPort = p.HostPort.ToString(CultureInfo.InvariantCulture) });
        }
        return map;
    }

    /// <summary>"80/tcp", "53/udp", "80" (tcp).</summary>
    private static (int Port, string Protocol) ParseKey(string key)
    {
        var parts = key.Split('/');
        string protocol = parts.Length == 2 ? parts[1].ToLowerInvariant() : "tcp";
        if (parts.Length > 2 || !TryPort(parts[0], out int port))
            throw EngineException.Invalid($"port '{key}' is not PORT/PROTOCOL with a port from 1 to 65535; e.g. 80/tcp");
        if (protocol == "sctp")
            throw EngineException.Invalid($"port '{key}': sctp is not supported; publish tcp or udp ports");
        if (protocol is not ("tcp" or "udp"))
            throw EngineException.Invalid($"port '{key}': protocol '{parts[1]}' is unknown; use tcp or udp");
        return (port, protocol);
    }

    /// <summary>"" or null → 0.0.0.0 (every address); an IPv4 address in dotted-quad form. Whether the host has that
    /// address is checked when the port is reserved.</summary>
    private static string ParseHostIp(string? hostIp, string key)
    {
        if (string.IsNullOrEmpty(hostIp)) return PortRequest.AnyAddress;
        if (IPAddress.TryParse(hostIp, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            throw EngineException.Invalid($"port {key}: IPv6 host address '{hostIp}' is not supported yet; publish on an IPv4 address or leave the address out");
        // IPAddress.TryParse also takes "10" or "10.1" (inet_aton forms): only four decimal parts are an address here.
        if (address is null || hostIp.Split('.').Length != 4 || hostIp.Split('.').Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
            throw EngineException.Invalid($"port {key}: host address '{hostIp}' is not an IPv4 address; give one such as 127.0.0.1, or leave it out for every address");
        return address.ToString();
    }

    /// <summary>"" or null → (0, 0): the engine picks; "8080"; "8000-8010": the first free port of the range.</summary>
    private static (int First, int Last) ParseHostPort(string? hostPort, string key)
    {
        if (string.IsNullOrEmpty(hostPort)) return (0, 0);
        var parts = hostPort.Split('-');
        if (parts.Length > 2 || !TryPort(parts[0], out int first) || !TryPort(parts[^1], out int last))
            throw EngineException.Invalid($"port {key}: host port '{hostPort}' is not a port from 1 to 65535 or a range such as 8000-8010");
        if (last < first)
            throw EngineException.Invalid($"port {key}: host port range '{hostPort}' ends before it starts; give it as {last}-{first}");
        return (first, last);
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
