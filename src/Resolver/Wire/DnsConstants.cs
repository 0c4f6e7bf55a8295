namespace MyDocker.Resolver.Wire;

/// <summary>Response codes (RFC 1035 §4.1.1) the resolver sends.</summary>
public enum DnsRcode : byte
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
}

/// <summary>Record types and classes the resolver answers (RFC 1035 §3.2.2, RFC 3596 §2.1).</summary>
public static class DnsType
{
    public const ushort A = 1;
    public const ushort Aaaa = 28;
    public const ushort ClassIn = 1;
}

/// <summary>Sizes from RFC 1035 §2.3.4 and §4.1.</summary>
public static class DnsLimits
{
    public const int HeaderLength = 12;

    /// <summary>The classic UDP message limit. The resolver does not advertise EDNS (its replies carry no OPT record,
    /// RFC 6891 §7 allows that), so it never sends more, and a query longer than this is refused with FORMERR.</summary>
    public const int MaxUdpMessage = 512;

    /// <summary>A name on the wire, length octets included.</summary>
    public const int MaxWireName = 255;

    /// <summary>The same name in text without the trailing dot: 255 − the first length octet − the root octet.</summary>
    public const int MaxTextName = 253;

    public const int MaxLabel = 63;

    /// <summary>One A record after the question: pointer (2) + type (2) + class (2) + TTL (4) + length (2) + address (4).</summary>
    public const int ARecordLength = 16;
}
