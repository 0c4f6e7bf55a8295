using System.Globalization;
using MyDocker.Shared.Api;

namespace MyDocker.Shared.Ports;

/// <summary>
/// The docker CLI's <c>-p/--publish</c> syntax, <c>[HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]</c>, with the semantics
/// of docker/go-connections <c>nat.ParsePortSpecs</c>: a container range expands to one publication per port (a host
/// range must then have the same length); one container port with a host range lets the engine pick within it; no
/// host port lets the engine pick any. Stricter than Docker where Docker would fail later in the daemon: port 0,
/// sctp, IPv6 and host names are refused here with a message saying what to write instead.
/// Stateless and thread-safe.
/// </summary>
public static class PublishSpec
{
    public const string Tcp = "tcp";
    public const string Udp = "udp";
    public const int MaxPort = 65535;

    private const string Syntax = "[HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO] such as 8080:80, 127.0.0.1:8080:80 or 53:53/udp";

    /// <summary>Parses one <c>-p</c> value into its requests, in container-port order. An address left out stays ""
    /// (Docker's spelling on the wire), which means every address.</summary>
    /// <exception cref="FormatException">The value is malformed; the message quotes it and says what to write.</exception>
    public static IReadOnlyList<PortRequest> Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Trim().Length == 0) throw Bad(value, "the value is empty; give " + Syntax);

        // The address may itself hold ':' only if it is IPv6, which is checked before counting the colons so the
        // message says "IPv6" rather than "too many colons".
        if (value.StartsWith('['))
            throw Bad(value, "IPv6 host addresses are not supported yet; give an IPv4 address such as 127.0.0.1, or none");
        var parts = value.Split(':');
        if (parts.Length > 3)
        {
            string ip = string.Join(':', parts[..^2]);
            if (System.Net.IPAddress.TryParse(ip, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                throw Bad(value, "IPv6 host addresses are not supported yet; give an IPv4 address such as 127.0.0.1, or none");
            throw Bad(value, "too many ':'; give " + Syntax);
        }
        string hostIp = parts.Length == 3 ? parts[0] : "";
        string hostPart = parts.Length >= 2 ? parts[^2] : "";
        string containerPart = parts[^1];

        int slash = containerPart.IndexOf('/');
        string containerPorts = slash < 0 ? containerPart : containerPart[..slash];
        // As Docker: "80/" means tcp, and the protocol is case-insensitive.
        string protocol = slash < 0 || slash == containerPart.Length - 1 ? Tcp : containerPart[(slash + 1)..].ToLowerInvariant();

        if (containerPorts.Length == 0)
            throw Bad(value, parts.Length == 1
                ? "container port is empty; give " + Syntax
                : "container port is empty; give HOSTPORT:CONTAINERPORT such as 8080:80");
        var (first, last) = ParseRange(value, containerPorts, "container");
        if (protocol == "sctp") throw Bad(value, "protocol sctp is not supported; use tcp or udp");
        if (protocol is not (Tcp or Udp)) throw Bad(value, $"unknown protocol '{protocol}'; use tcp or udp");
        if (hostIp.Length > 0 && !IsIPv4(hostIp))
            throw Bad(value, $"host IP '{hostIp}' is not an IPv4 address; give four numbers 0-255 such as 127.0.0.1, or leave it out to listen on every address");

        int hostFirst = 0, hostLast = 0;
        if (hostPart.Length > 0)
        {
            if (hostPart.Contains('/'))
                throw Bad(value, $"host port '{hostPart}' has a protocol; put it after the container port, as in 8080:80/udp");
            if (parts.Length == 2 && IsIPv4(hostPart))
                throw Bad(value, $"'{hostPart}' is an address, not a port; write {hostPart}::{containerPart} to let the engine pick the host port, or {hostPart}:HOSTPORT:{containerPart}");
            (hostFirst, hostLast) = ParseRange(value, hostPart, "host");
            if (LengthProblem(hostPart, hostLast - hostFirst + 1, containerPorts, last - first + 1) is { } mismatch)
                throw Bad(value, mismatch);
        }

        return Requests(protocol, hostIp, hostFirst, hostLast, first, last);
    }

    /// <summary>The requests of checked fields (ranges valid and of matching length, as <see cref="RangeProblem"/> and
    /// <see cref="LengthProblem"/> say; host port 0: the engine picks), in container-port order.</summary>
    public static PortRequest[] Requests(string protocol, string hostIp, int hostFirst, int hostLast, int containerFirst, int containerLast)
    {
        var result = new PortRequest[containerLast - containerFirst + 1];
        for (int i = 0; i < result.Length; i++)
        {
            // A range maps port by port; a single container port keeps the whole host range for the engine to pick from.
            (int hf, int hl) = hostFirst == 0 ? (0, 0) : result.Length == 1 ? (hostFirst, hostLast) : (hostFirst + i, hostFirst + i);
            result[i] = new PortRequest(protocol, hostIp, hf, hl, containerFirst + i);
        }
        return result;
    }

    /// <summary>Parses several <c>-p</c> values, keeping their order.</summary>
    /// <exception cref="FormatException">One value is malformed (the first one found).</exception>
    public static IReadOnlyList<PortRequest> ParseAll(IEnumerable<string> values)
    {
        var all = new List<PortRequest>();
        foreach (var value in values) all.AddRange(Parse(value));
        return all;
    }

    /// <summary>One line of <c>docker port</c>: <c>80/tcp -> 0.0.0.0:8080</c>.</summary>
    /// <param name="portKey">The container side as Docker keys it, <c>80/tcp</c>.</param>
    public static string Format(string portKey, PortBinding binding) => portKey + " -> " + FormatHost(binding);

    /// <summary>
    /// The host side the way Go's <c>net.JoinHostPort</c> writes it, which the docker CLI uses: <c>0.0.0.0:8080</c>,
    /// <c>[::]:8080</c> for an IPv6 address; an empty address stays empty (<c>:8080</c>).
    /// </summary>
    public static string FormatHost(PortBinding binding) => JoinHostPort(binding.HostIp ?? "", binding.HostPort ?? "");

    /// <summary>Go's <c>net.JoinHostPort</c>: brackets around a host that contains ':'.</summary>
    public static string JoinHostPort(string host, string port) =>
        host.Contains(':') ? "[" + host + "]:" + port : host + ":" + port;

    // "80" or "80-90", each 1-65535, the first not above the last.
    private static (int First, int Last) ParseRange(string value, string text, string side) =>
        RangeProblem(text, side, out int first, out int last) is { } problem ? throw Bad(value, problem) : (first, last);

    /// <summary>
    /// Why <paramref name="text"/> is not a port (1-65535) or a range such as 8000-8010, or null when it is. Messages
    /// name the <paramref name="side"/> ("host" or "container") and say what to write; the dashboard shows them under
    /// its port fields.
    /// </summary>
    public static string? RangeProblem(string text, string side, out int first, out int last)
    {
        first = last = 0;
        int dash = text.IndexOf('-');
        if (dash < 0)
        {
            if (PortProblem(text, side, null, out first) is { } p) return p;
            last = first;
            return null;
        }
        string a = text[..dash], b = text[(dash + 1)..];
        if (a.Length == 0 || b.Length == 0 || b.Contains('-'))
            return $"{side} port '{text}' is not a port or a range; give a port 1-{MaxPort} or a range such as 8000-8010";
        if ((PortProblem(a, side, text, out first) ?? PortProblem(b, side, text, out last)) is { } problem) return problem;
        if (first > last)
            return $"{side} port range {text} is inverted; write the lower port first, as in {last}-{first}";
        return null;
    }

    /// <summary>Why a host range of <paramref name="hostCount"/> ports cannot go with a container range of
    /// <paramref name="containerCount"/>, or null: a container range maps port by port, so the lengths must match.</summary>
    public static string? LengthProblem(string hostText, int hostCount, string containerText, int containerCount) =>
        containerCount > 1 && hostCount != containerCount
            ? $"host range {hostText} has {hostCount} port{(hostCount == 1 ? "" : "s")} but container range {containerText} has {containerCount}; give ranges of the same length, or one container port to let the engine pick within the host range"
            : null;

    private static string? PortProblem(string text, string side, string? range, out int port)
    {
        port = 0;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
            return $"{side} port '{range ?? text}' is not a number; give a port 1-{MaxPort} or a range such as 8000-8010";
        // All digits: a long string is out of range rather than an overflow.
        if (text.TrimStart('0').Length > 5 || int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) > MaxPort)
            return range is null
                ? $"{side} port {text} is out of range; ports go from 1 to {MaxPort}"
                : $"{side} port range {range} goes beyond {MaxPort}; ports go from 1 to {MaxPort}";
        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (port == 0)
            return side == "host"
                ? $"host port 0 is not a port; ports go from 1 to {MaxPort} (leave the host port out, as in -p 80, to let the engine pick a free one)"
                : $"container port 0 is not a port; ports go from 1 to {MaxPort}";
        return null;
    }

    /// <summary>A strict dotted quad: IPAddress.TryParse would also take "10.1" or "0x0a.0.0.1", which no one means here.</summary>
    public static bool IsIPv4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')) return false;
            if (int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255) return false;
        }
        return true;
    }

    private static FormatException Bad(string value, string problem) => new($"-p '{value}': {problem}");
}
