using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Shared.Api;

namespace MyDocker.Web.Api;

public static partial class ContainerMapping
{
    /// <summary>API 1.44 (Docker 25) is the first to accept several EndpointsConfig entries in a create request.</summary>
    public static readonly Version SeveralNetworksVersion = new(1, 44);

    /// <summary>
    /// The networks of a create request: HostConfig.NetworkMode is the first (eth0, the default route), or, when it is
    /// empty or "default", the first EndpointsConfig entry; every other EndpointsConfig entry follows in the request's
    /// order (the docker CLI sends NetworkMode = the first --network and one entry per --network).
    /// </summary>
    public static (NetworkAttachment? First, List<NetworkAttachment> More) NetworksOf(string? networkMode, Dictionary<string, EndpointSettings>? endpoints, Version apiVersion)
    {
        endpoints ??= [];
        if (endpoints.Count > 1 && apiVersion < SeveralNetworksVersion)
            throw EngineException.Invalid(
                $"{endpoints.Count} networks given, but API version {apiVersion} accepts one per create ({SeveralNetworksVersion} and later accept several); create the container on one and connect the others (docker network connect)");
        string? first = networkMode is null or "" or "default" ? endpoints.Keys.FirstOrDefault() ?? networkMode : networkMode;
        NetworkAttachment? primary = first is null ? null : Attachment(first, endpoints.GetValueOrDefault(first));
        var more = endpoints.Where(e => e.Key != first).Select(e => Attachment(e.Key, e.Value)).ToList();
        return (primary, more);
    }

    /// <summary>One endpoint of a create or connect request: the address and aliases; what MyDocker does not do is refused
    /// by name (IPv6, link-local addresses, a MAC of one's own, legacy links).</summary>
    public static NetworkAttachment Attachment(string network, EndpointSettings? settings)
    {
        if (settings is null) return new NetworkAttachment(network);
        string where = $"the endpoint on network '{network}'";
        if (settings.IPAMConfig?.IPv6Address is { Length: > 0 })
            throw EngineException.Invalid($"{where}: IPv6 addresses (--ip6) are not supported; leave --ip6 out");
        if (settings.IPAMConfig?.LinkLocalIPs is { Count: > 0 })
            throw EngineException.Invalid($"{where}: link-local addresses (--link-local-ip) are not supported; leave them out");
        if (settings.MacAddress is { Length: > 0 })
            throw EngineException.Invalid($"{where}: a MAC address of one's own (--mac-address) is not supported: the MAC is derived from the IP address; leave it out");
        if (settings.Links is { Count: > 0 })
            throw EngineException.Invalid($"{where}: legacy links (--link) are not supported; containers on one network find each other by name");
        string? ip = settings.IPAMConfig?.IPv4Address;
        return new NetworkAttachment(network, string.IsNullOrEmpty(ip) ? null : ip) { Aliases = settings.Aliases ?? [] };
    }
}
