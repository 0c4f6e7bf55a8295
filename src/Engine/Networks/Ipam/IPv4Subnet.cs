namespace MyDocker.Engine.Networks.Ipam;

/// <summary>
/// An IPv4 network in CIDR form. <see cref="Network"/> is a host-order address with the host bits clear
/// (the constructor enforces it) and <see cref="PrefixLength"/> is 0..32.
/// </summary>
public readonly record struct IPv4Subnet(uint Network, int PrefixLength)
{
    /// <summary>The shortest prefix a network may have: /8 (16,777,214 addresses).</summary>
    public const int MinNetworkPrefix = 8;

    /// <summary>The longest prefix a network may have: /30 holds the gateway and one container.</summary>
    public const int MaxNetworkPrefix = 30;

    private const string Example = "10.0.0.0/24";

    public uint Network { get; } = CheckNetwork(Network, PrefixLength);
    public int PrefixLength { get; } = PrefixLength;

    /// <summary>The netmask as a host-order number (/24 is 0xFFFFFF00; /0 is 0).</summary>
    public uint Mask => MaskOf(PrefixLength);

    /// <summary>The last address of the subnet (10.0.0.255 for 10.0.0.0/24).</summary>
    public uint Broadcast => Network | ~Mask;

    /// <summary>Number of addresses, network and broadcast included (/24: 256; /0: 2^32).</summary>
    public ulong Size => 1UL << (32 - PrefixLength);

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>True when every address of <paramref name="other"/> is in this subnet (equal subnets contain each other).</summary>
    public bool Contains(IPv4Subnet other) => other.PrefixLength >= PrefixLength && Contains(other.Network);

    /// <summary>True when the subnets share at least one address (for CIDR blocks: one contains the other).</summary>
    public bool Overlaps(IPv4Subnet other) => Contains(other.Network) || other.Contains(Network);

    public override string ToString() => $"{IPv4.Format(Network)}/{PrefixLength}";

    /// <summary>
    /// Parses "A.B.C.D/N" strictly (see <see cref="IPv4.TryParse"/>; N is 0..32 without sign or leading zero).
    /// Host bits may be set: "10.0.0.1/24" gives the subnet 10.0.0.0/24 and <paramref name="hostAddress"/> 10.0.0.1
    /// (callers use it as the gateway); <paramref name="hostAddress"/> is null when the host bits are clear.
    /// This does not check that the prefix suits a network; see <see cref="TryValidateForNetwork"/>.
    /// On failure <paramref name="error"/> is a user-facing sentence naming the input and the fix.
    /// </summary>
    public static bool TryParse(string? text, out IPv4Subnet subnet, out uint? hostAddress, out string error)
    {
        subnet = default;
        hostAddress = null;
        var span = text.AsSpan();
        if (span.IsEmpty)
            return Fail(text, "the subnet is empty", out error);
        if (span.Contains(':') && !ContainsWhiteSpace(span))
        {
            error = $"invalid subnet {IPv4.Quote(text)}: IPv6 is not supported yet; write an IPv4 subnet like {Example}";
            return false;
        }
        var slash = span.IndexOf('/');
        var addressPart = slash < 0 ? span : span[..slash];
        if (!IPv4.TryParseCore(addressPart, out var address, out var reason))
            return Fail(text, reason, out error);
        if (slash < 0)
            return Fail(text, "the prefix length is missing (the /N after the address)", out error);

        var prefixPart = span[(slash + 1)..];
        if (prefixPart.IsEmpty)
            return Fail(text, "the prefix length after '/' is missing", out error);
        if (ContainsWhiteSpace(prefixPart))
            return Fail(text, "it contains spaces", out error);
        foreach (var c in prefixPart)
        {
            if (c is < '0' or > '9')
                return Fail(text, $"{IPv4.Quote(prefixPart)} is not a prefix length (0-32)", out error);
        }
        if (prefixPart.Length > 1 && prefixPart[0] == '0')
            return Fail(text, $"prefix length \"{prefixPart}\" has a leading zero", out error);
        if (prefixPart.Length > 2 || int.Parse(prefixPart) > 32)
            return Fail(text, $"{prefixPart} is not a prefix length (0-32)", out error);

        var prefix = int.Parse(prefixPart);
        var network = address & MaskOf(prefix);
        subnet = new IPv4Subnet(network, prefix);
        hostAddress = network == address ? null : address;
        error = "";
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>; throws <see cref="FormatException"/> with the error sentence.</summary>
    public static IPv4Subnet Parse(string text) =>
        TryParse(text, out var subnet, out _, out var error) ? subnet : throw new FormatException(error);

    /// <summary>
    /// Checks that a subnet can be a network's subnet: /8 to /30, so that it holds the network and broadcast
    /// addresses, a gateway and at least one container, and fits the allocator's bitmap.
    /// </summary>
    public static bool TryValidateForNetwork(IPv4Subnet subnet, out string error)
    {
        if (subnet.PrefixLength < MinNetworkPrefix)
        {
            error = $"subnet {subnet} is too large for a network: the prefix length must be /{MinNetworkPrefix} to /{MaxNetworkPrefix}; " +
                    $"use a longer prefix like {IPv4.Format(subnet.Network & MaskOf(16))}/16";
            return false;
        }
        if (subnet.PrefixLength > MaxNetworkPrefix)
        {
            error = $"subnet {subnet} is too small for a network: it cannot hold a gateway and one container; " +
                    $"the prefix length must be /{MinNetworkPrefix} to /{MaxNetworkPrefix}, like {IPv4.Format(subnet.Network & MaskOf(24))}/24";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary><see cref="TryParse"/> followed by <see cref="TryValidateForNetwork"/>.</summary>
    public static bool TryParseNetwork(string? text, out IPv4Subnet subnet, out uint? hostAddress, out string error) =>
        TryParse(text, out subnet, out hostAddress, out error) && TryValidateForNetwork(subnet, out error);

    internal static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    private static uint CheckNetwork(uint network, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        if ((network & ~MaskOf(prefixLength)) != 0)
            throw new ArgumentException(
                $"{IPv4.Format(network)}/{prefixLength} has host bits set; the network address is {IPv4.Format(network & MaskOf(prefixLength))}",
                nameof(Network));
        return network;
    }

    private static bool ContainsWhiteSpace(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (char.IsWhiteSpace(c)) return true;
        return false;
    }

    private static bool Fail(string? text, string reason, out string error)
    {
        error = $"invalid subnet {IPv4.Quote(text)}: {reason}; write it like {Example}";
        return false;
    }
}
