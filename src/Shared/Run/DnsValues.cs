using System.Net;
using System.Net.Sockets;
using MyDocker.Shared.Ports;

namespace MyDocker.Shared.Run;

/// <summary>
/// The syntax of a container's DNS settings (<c>--dns</c>, <c>--dns-search</c>, <c>--dns-option</c>, <c>--add-host</c>),
/// shared by the CLI (before anything is sent) and the engine (which checks API requests with the same words). Each
/// check returns null for a good value, else a message that names the value, the flag and the fix. Every value ends up
/// as a word of the container's /etc/resolv.conf or /etc/hosts, so none may hold a space, '#' or a line break.
/// </summary>
public static class DnsValues
{
    /// <summary>Docker's special <c>--add-host</c> address: the host, as the container reaches it (its gateway).</summary>
    public const string HostGateway = "host-gateway";

    /// <summary>A search domain may be at most this long (Docker's ValidateDNSSearch: 255).</summary>
    public const int MaxDomainLength = 255;

    /// <summary>An IPv4 address (strictly, four decimal numbers) or an IPv6 address.</summary>
    public static bool IsIpAddress(string text) =>
        PublishSpec.IsIPv4(text)
        || (text.Contains(':') && !text.Contains('%') && IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6);

    public static string? NameServerProblem(string value) => IsIpAddress(value) ? null
        : $"DNS server \"{Shorten(value)}\" (--dns) is not an IP address; give one such as 192.0.2.53";

    /// <summary>Docker's rule: dot-separated labels of letters, digits and inner hyphens, an optional trailing dot, at
    /// most 255 characters; "." alone means "no search domain" (not even the host's).</summary>
    public static string? SearchDomainProblem(string value)
    {
        if (value == ".") return null;
        string domain = value.EndsWith('.') ? value[..^1] : value;
        if (value.Length <= MaxDomainLength && IsDnsName(domain, allowUnderscore: false)) return null;
        return $"search domain \"{Shorten(value)}\" (--dns-search) is not valid: use letters, digits and hyphens in dot-separated labels of 1 to 63 characters, at most {MaxDomainLength} in all (e.g. example.com), or \".\" for none";
    }

    /// <summary>A resolv.conf option as resolv.conf(5) spells them: a name, and for those that take one (ndots, timeout,
    /// attempts) ":" and a whole number. Unknown names pass, as in Docker: the C library ignores what it does not know.</summary>
    public static string? OptionProblem(string value)
    {
        int colon = value.IndexOf(':');
        string name = colon < 0 ? value : value[..colon];
        string? number = colon < 0 ? null : value[(colon + 1)..];
        bool nameOk = name.Length > 0 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');
        bool numberOk = number is null ? name is not ("ndots" or "timeout" or "attempts")
            : number.Length is > 0 and <= 9 && number.All(char.IsAsciiDigit);
        if (nameOk && numberOk) return null;
        return $"DNS option \"{Shorten(value)}\" (--dns-option) is not valid: give an option of resolv.conf(5) such as ndots:2, timeout:1, attempts:3, edns0 or rotate";
    }

    /// <summary>
    /// <c>--add-host</c> as the API carries it: NAME:ADDRESS, split at the first ':' (so an IPv6 address needs no
    /// brackets), ADDRESS an IP address or <see cref="HostGateway"/>. NAME: labels of letters, digits, '-' and '_'.
    /// </summary>
    public static string? ExtraHostProblem(string value)
    {
        int colon = value.IndexOf(':');
        if (colon < 0 || colon == value.Length - 1)
            return $"extra host \"{Shorten(value)}\" (--add-host) has no address; write NAME:ADDRESS, e.g. db:198.51.100.7 or host.docker.internal:host-gateway";
        string name = value[..colon], address = value[(colon + 1)..];
        if (name.Length is 0 or > MaxDomainLength || !IsDnsName(name, allowUnderscore: true))
            return $"extra host \"{Shorten(value)}\" (--add-host): name \"{Shorten(name)}\" is not a host name; use letters, digits, '-' and '_' in dot-separated labels (e.g. db or db.example.com)";
        if (address != HostGateway && !IsIpAddress(address))
            return $"extra host \"{Shorten(value)}\" (--add-host): \"{Shorten(address)}\" is not an IP address; give one such as 198.51.100.7, or host-gateway";
        return null;
    }

    /// <summary>The name and address of a checked <c>--add-host</c> value (<see cref="ExtraHostProblem"/>).</summary>
    public static (string Name, string Address) SplitExtraHost(string value)
    {
        int colon = value.IndexOf(':');
        return (value[..colon], value[(colon + 1)..]);
    }

    /// <summary>
    /// The docker CLI's <c>--add-host</c> forms (cli opts.ValidateExtraHost): NAME:ADDRESS, NAME=ADDRESS, the address
    /// optionally in brackets (<c>h=[::1]</c>), turned into the API's NAME:ADDRESS.
    /// </summary>
    /// <exception cref="FormatException">The value is not one of those forms.</exception>
    public static string NormalizeExtraHost(string value)
    {
        int cut = value.IndexOf('=');
        if (cut < 0) cut = value.IndexOf(':');
        string normal = value;
        if (cut > 0 && value.AsSpan(0, cut).Contains(':'))
            throw new FormatException($"extra host \"{Shorten(value)}\" (--add-host): a name holds no ':'; write NAME:ADDRESS or NAME=ADDRESS, e.g. db:198.51.100.7");
        if (cut > 0)
        {
            string address = value[(cut + 1)..];
            if (address.Length > 2 && address[0] == '[' && address[^1] == ']') address = address[1..^1];
            normal = value[..cut] + ":" + address;
        }
        return ExtraHostProblem(normal) is { } problem ? throw new FormatException(problem) : normal;
    }

    private static bool IsDnsName(string name, bool allowUnderscore) =>
        name.Length > 0 && name.Split('.').All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-'
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || (allowUnderscore && c == '_')));

    /// <summary>Text from a client, quoted in a message: one line, not a page long.</summary>
    private static string Shorten(string text)
    {
        var oneLine = string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
        return oneLine.Length > 80 ? oneLine[..80] + "..." : oneLine;
    }
}
