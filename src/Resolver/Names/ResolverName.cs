using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MyDocker.Resolver.Names;

/// <summary>Checks on what goes into the table: names, network ids, addresses. Bad input is refused here, by name,
/// so a lookup never has to wonder about it.</summary>
public static class ResolverName
{
    /// <summary>
    /// A name the resolver answers: labels of 1-63 letters, digits, '-' or '_' separated by dots, at most 253 characters
    /// (RFC 1035 §2.3.4). '_' is allowed because Docker container names may hold it and Docker answers them.
    /// </summary>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > Wire.DnsLimits.MaxTextName)
            throw new ArgumentException($"resolver name '{name}' must be 1 to {Wire.DnsLimits.MaxTextName} characters long", nameof(name));
        var label = 0;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (label == 0) throw new ArgumentException($"resolver name '{name}' has an empty label; remove the extra dot", nameof(name));
                label = 0;
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new ArgumentException($"resolver name '{name}' holds '{c}'; use letters, digits, '-', '_' and dots", nameof(name));
            if (++label > Wire.DnsLimits.MaxLabel)
                throw new ArgumentException($"resolver name '{name}' has a label longer than {Wire.DnsLimits.MaxLabel} characters", nameof(name));
        }
        if (label == 0) throw new ArgumentException($"resolver name '{name}' ends with a dot; give it without", nameof(name));
    }

    /// <summary>A network id: opaque to the resolver, but non-empty and without whitespace (it travels in a line protocol).</summary>
    public static void ValidateNetwork(string network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Length == 0 || network.Any(char.IsWhiteSpace))
            throw new ArgumentException($"network id '{network}' must be non-empty and hold no whitespace", nameof(network));
    }

    /// <summary>An IPv4 address in host byte order, as the wire and the table keep it.</summary>
    public static uint ToHostOrder(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"address {address} is not IPv4; the resolver answers A records only", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
