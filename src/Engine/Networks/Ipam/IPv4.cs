using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MyDocker.Engine.Networks.Ipam;

/// <summary>
/// IPv4 addresses as host-order <see cref="uint"/> (10.0.0.1 is 0x0A000001), and a strict dotted-quad parser.
/// <see cref="IPAddress.Parse(string)"/> is not used for user input: it accepts "10" (0.0.0.10), "1.2.3" (1.2.0.3),
/// octal and hex forms, and surrounding spaces.
/// </summary>
public static class IPv4
{
    /// <summary>The address as a host-order number. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are unwrapped.</summary>
    /// <exception cref="ArgumentException">The address is IPv6.</exception>
    public static uint ToUInt(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
    }

    /// <summary>The <see cref="IPAddress"/> of a host-order number.</summary>
    public static IPAddress ToAddress(uint address) =>
        new([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]);

    /// <summary>Dotted-quad text of a host-order number ("10.0.0.1").</summary>
    public static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";

    /// <summary>
    /// Parses exactly "A.B.C.D" with four decimal octets 0-255 (no leading zeros, signs, spaces or other forms).
    /// On failure <paramref name="error"/> is a user-facing sentence naming the input and the fix.
    /// </summary>
    public static bool TryParse(string? text, out uint address, out string error)
    {
        if (TryParseCore(text, out address, out var reason))
        {
            error = "";
            return true;
        }
        error = reason == IPv6Reason
            ? $"invalid IPv4 address {Quote(text)}: IPv6 is not supported yet; write an IPv4 address like 10.0.0.2"
            : $"invalid IPv4 address {Quote(text)}: {reason}; write it like 10.0.0.2";
        return false;
    }

    /// <summary>Like <see cref="TryParse"/> but throws <see cref="FormatException"/> with the error sentence.</summary>
    public static uint Parse(string text) => TryParse(text, out var address, out var error) ? address : throw new FormatException(error);

    internal const string IPv6Reason = "IPv6 is not supported yet";

    /// <summary>The parser without the "invalid ..." framing: <paramref name="reason"/> says only what is wrong.</summary>
    internal static bool TryParseCore(ReadOnlySpan<char> text, out uint address, out string reason)
    {
        address = 0;
        if (text.IsEmpty)
        {
            reason = "the address is empty";
            return false;
        }
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                reason = "it contains spaces";
                return false;
            }
        }
        if (text.Contains(':'))
        {
            reason = IPv6Reason;
            return false;
        }
        foreach (var c in text)
        {
            if (c is not ('.' or (>= '0' and <= '9')))
            {
                reason = $"{Quote(text)} is not an IPv4 address: only digits and dots are allowed ('{c}' is not)";
                return false;
            }
        }
        var parts = text.Count('.') + 1;
        if (parts != 4)
        {
            reason = $"{Quote(text)} has {parts} part{(parts == 1 ? "" : "s")}, an IPv4 address has 4 (A.B.C.D)";
            return false;
        }
        var rest = text;
        for (var i = 0; i < 4; i++)
        {
            var dot = rest.IndexOf('.');
            var octet = dot < 0 ? rest : rest[..dot];
            rest = dot < 0 ? [] : rest[(dot + 1)..];
            if (octet.IsEmpty)
            {
                reason = $"{Quote(text)} has an empty octet";
                return false;
            }
            if (octet.Length > 1 && octet[0] == '0')
            {
                reason = $"octet \"{octet}\" has a leading zero (it could be read as octal); write {Trim(octet)}";
                return false;
            }
            if (octet.Length > 3 || int.Parse(octet) > 255)
            {
                reason = $"{octet} is not an IPv4 octet (0-255)";
                return false;
            }
            address = address << 8 | (uint)int.Parse(octet);
        }
        reason = "";
        return true;

        static string Trim(ReadOnlySpan<char> octet)
        {
            var t = octet.TrimStart('0');
            return t.IsEmpty ? "0" : t.ToString();
        }
    }

    /// <summary>User input in double quotes, with quotes, backslashes and control characters escaped.</summary>
    internal static string Quote(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
