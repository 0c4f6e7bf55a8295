using System.Text.Json.Serialization;

namespace MyDocker.Shared.Api;

// Shapes of the Docker Engine API (https://docs.docker.com/reference/api/engine/), network section.
// Field names are Docker's; clients such as the docker CLI decode them by name.

/// <summary>Body of <c>POST /networks/create</c>.</summary>
public sealed class NetworkCreateRequest
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    /// <summary>Docker 25+ clients send null when the flag is not given.</summary>
    public bool? EnableIPv6 { get; set; }
    public bool Ingress { get; set; }
    public bool? CheckDuplicate { get; set; }
    public IpamConfigSection? IPAM { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

public sealed class IpamConfigSection
{
    public string? Driver { get; set; }
    public List<IpamPoolConfig>? Config { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed class IpamPoolConfig
{
    public string? Subnet { get; set; }
    public string? IPRange { get; set; }
    public string? Gateway { get; set; }
    public Dictionary<string, string>? AuxiliaryAddresses { get; set; }
}

/// <summary>Answer of <c>POST /networks/create</c> (201).</summary>
public sealed class NetworkCreateResponse
{
    public string Id { get; set; } = "";
    public string Warning { get; set; } = "";
}

/// <summary>One network as <c>GET /networks</c> and <c>GET /networks/{id}</c> return it.</summary>
public sealed class NetworkResource
{
    public string Name { get; set; } = "";
    public string Id { get; set; } = "";
    public DateTimeOffset Created { get; set; }
    public string Scope { get; set; } = "local";
    public string Driver { get; set; } = "bridge";
    public bool EnableIPv6 { get; set; }
    public IpamConfigSection IPAM { get; set; } = new();
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public ConfigReference ConfigFrom { get; set; } = new();
    public bool ConfigOnly { get; set; }
    public Dictionary<string, EndpointResource> Containers { get; set; } = new();
    public Dictionary<string, string> Options { get; set; } = new();
    public Dictionary<string, string> Labels { get; set; } = new();

    /// <summary>MyDocker extension: address usage of the network's pool. Docker has no field for it.</summary>
    public IpamUsage? IpamUsage { get; set; }
}

public sealed class ConfigReference
{
    public string Network { get; set; } = "";
}

public sealed class EndpointResource
{
    public string Name { get; set; } = "";
    public string EndpointID { get; set; } = "";
    public string MacAddress { get; set; } = "";
    public string IPv4Address { get; set; } = "";
    public string IPv6Address { get; set; } = "";
}

/// <summary>Body of <c>POST /networks/{id}/connect</c>.</summary>
public sealed class NetworkConnectRequest
{
    /// <summary>The container's id or name.</summary>
    public string Container { get; set; } = "";
    /// <summary>IPAMConfig.IPv4Address (`--ip`) and Aliases (`--alias`); the other fields must be empty.</summary>
    public EndpointSettings? EndpointConfig { get; set; }
}

/// <summary>Body of <c>POST /networks/{id}/disconnect</c>.</summary>
public sealed class NetworkDisconnectRequest
{
    public string Container { get; set; } = "";
    public bool Force { get; set; }
}

/// <summary>Answer of <c>POST /networks/prune</c>: the names of the networks removed.</summary>
public sealed class NetworksPruneResponse
{
    public List<string> NetworksDeleted { get; set; } = new();
}

/// <summary>How many addresses of a network's allocatable range are handed out.</summary>
public sealed class IpamUsage
{
    /// <summary>Addresses the pool can hand out (the range minus network, broadcast and gateway).</summary>
    public long Total { get; set; }
    public long Used { get; set; }
    public long Free { get; set; }
}
