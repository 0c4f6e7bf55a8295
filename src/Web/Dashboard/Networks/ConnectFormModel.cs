using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.Web.Dashboard.Networks;

public enum ConnectField { Container, Ip, Aliases }

/// <summary>The "connect a container" form's values as typed, and the checks connect runs on them, made as the user
/// types: the same rules and, for aliases, the engine's own words (<see cref="EndpointAliases"/>). Connect checks again.</summary>
public sealed class ConnectFormModel
{
    /// <summary>The chosen container's id; empty: none chosen.</summary>
    public string Container { get; set; } = "";
    public string Ip { get; set; } = "";
    /// <summary>Aliases separated by commas or white space.</summary>
    public string Aliases { get; set; } = "";

    public IReadOnlyList<string> AliasList() => Aliases.Split([',', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);

    public string? IpOrNull() => string.IsNullOrWhiteSpace(Ip) ? null : Ip.Trim();

    /// <summary>Each field's first problem on <paramref name="network"/>; empty when connect may be tried.</summary>
    public Dictionary<ConnectField, string> Problems(NetworkRow network, string containerName)
    {
        var problems = new Dictionary<ConnectField, string>();
        if (Container.Length == 0) problems[ConnectField.Container] = "choose a container to connect";
        if (IpProblem(network) is { } ip) problems[ConnectField.Ip] = ip;
        try { EndpointAliases.Validate(AliasList(), containerName.Length == 0 ? "?" : containerName); }
        catch (EngineException e) { problems[ConnectField.Aliases] = e.Message; }
        return problems;
    }

    /// <summary>Connect's own checks of `--ip` (ContainerService.ParseIp) and IPAM's (not the network's, gateway's or
    /// broadcast address, not leased), against what the page last read.</summary>
    private string? IpProblem(NetworkRow network)
    {
        if (IpOrNull() is not { } text) return null;
        var subnet = IPv4Subnet.Parse(network.Subnet);
        // IPv4.TryParse, not IPAddress.TryParse: the latter takes inet_aton's short forms ("10.1" is 10.0.0.1).
        if (!IPv4.TryParse(text, out uint value, out _))
            return $"'{text}' is not an IPv4 address; give one of network '{network.Name}' ({network.Subnet}), such as {IPv4.ToAddress(subnet.Network + 10)}";
        string address = IPv4.Format(value);
        if (!subnet.Contains(value))
            return $"{address} is outside network '{network.Name}' ({network.Subnet}); give an address inside it or leave the IP empty";
        if (address == network.Gateway) return $"{address} is the gateway of network '{network.Name}'; give another address";
        if (value == subnet.Network || value == subnet.Broadcast)
            return $"{address} is the {(value == subnet.Network ? "network" : "broadcast")} address of {network.Subnet}; give another address";
        if (network.Leases.FirstOrDefault(l => l.Address == address) is { } taken)
            return $"{address} is taken by container '{taken.OwnerName ?? taken.Owner[..Math.Min(12, taken.Owner.Length)]}'; give another address or leave the IP empty";
        return null;
    }
}
