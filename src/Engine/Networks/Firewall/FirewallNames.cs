using System.Net;
using System.Net.Sockets;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>
/// Checks what may go into nft command text. Only values that pass are ever written into a buffer, and names are
/// always written as quoted strings, so a record can neither inject nft syntax nor name a wildcard.
/// </summary>
internal static class FirewallNames
{
    /// <summary>IFNAMSIZ is 16 including the terminating NUL (linux/if.h); nft rejects a longer ifname too.</summary>
    public const int MaxInterfaceNameLength = 15;

    /// <summary>Returns <paramref name="name"/> when it is 1..15 bytes of [A-Za-z0-9_.-] and a valid device name.
    /// The charset is narrower than the kernel's (dev_valid_name accepts anything but '/', ':' and whitespace), so
    /// no quote, backslash, '*' (nft's ifname wildcard) or non-ASCII byte can reach nft text.</summary>
    public static string Bridge(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxInterfaceNameLength)
            throw new ArgumentException($"Bridge name '{name}' must be 1 to {MaxInterfaceNameLength} characters long.", nameof(name));
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
                throw new ArgumentException($"Bridge name '{name}' may contain only letters, digits, '_', '.' and '-'.", nameof(name));
        if (name is "." or "..")
            throw new ArgumentException($"Bridge name '{name}' is not a valid interface name.", nameof(name));
        return name;
    }

    /// <summary>Returns the subnet re-formatted from its parsed value ("10.0.0.0/24"): IPv4, host bits zero.</summary>
    public static string Subnet(string subnet)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        // .NET 9+ IPNetwork.TryParse silently clears host bits, so the canonical form is compared with the input:
        // "10.0.0.1/24" is a caller's mistake (which network did it mean?), not something to guess about here.
        string? canonical = IPNetwork.TryParse(subnet, out var net) && net.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? $"{net.BaseAddress}/{net.PrefixLength}"
            : null;
        if (canonical != subnet)
            throw new ArgumentException($"Subnet '{subnet}' is not an IPv4 prefix in canonical form with the host bits zero (like 10.0.0.0/24).", nameof(subnet));
        return canonical;
    }

    /// <summary>A name as an nft string literal. Safe only for names checked by <see cref="Bridge"/>.</summary>
    public static string Quote(string checkedName) => "\"" + checkedName + "\"";
}
