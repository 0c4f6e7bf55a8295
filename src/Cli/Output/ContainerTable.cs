using System.Globalization;
using System.Text;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.Cli.Output;

/// <summary>The <c>ps</c> table and the docker CLI's cell formats it uses (quoted, cut commands; "5 seconds ago").</summary>
public static class ContainerTable
{
    /// <summary>The docker CLI cuts COMMAND to 20 display characters unless <c>--no-trunc</c>.</summary>
    public const int CommandWidth = 20;

    /// <summary>CONTAINER ID, NAME, IMAGE, COMMAND, CREATED, STATUS, PORTS, IP; rows in the daemon's order (newest first).</summary>
    /// <param name="now">The current time, for the CREATED column.</param>
    public static Table Format(IReadOnlyList<ContainerSummary> containers, bool noTrunc, DateTimeOffset now)
    {
        var table = new Table("CONTAINER ID", "NAME", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "IP");
        foreach (var c in containers)
        {
            table.AddRow(
                noTrunc ? c.Id : ShortId(c.Id),
                Names(c.Names),
                c.Image,
                Quote(noTrunc ? c.Command ?? "" : Ellipsis(c.Command ?? "", CommandWidth)),
                HumanDuration(now - DateTimeOffset.FromUnixTimeSeconds(c.Created)) + " ago",
                c.Status,
                Ports(c.Ports),
                Addresses(c.NetworkSettings));
        }
        return table;
    }

    /// <summary>Docker's short id: the first 12 characters.</summary>
    public static string ShortId(string? id) => id is null ? "" : id.Length > 12 ? id[..12] : id;

    /// <summary>The names without Docker's leading slash, comma-separated.</summary>
    public static string Names(IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0) return "";
        var parts = new string[names.Count];
        for (int i = 0; i < parts.Length; i++) parts[i] = names[i].TrimStart('/');
        return string.Join(",", parts);
    }

    /// <summary>The container's IPv4 address on each of its networks, ordered by network name, comma-separated.</summary>
    public static string Addresses(SummaryNetworkSettings? settings)
    {
        if (settings?.Networks is not { Count: > 0 } networks) return "";
        var keys = new List<string>(networks.Keys);
        keys.Sort(StringComparer.Ordinal);
        var addresses = new List<string>(keys.Count);
        foreach (var key in keys)
            if (networks[key]?.IPAddress is { Length: > 0 } ip) addresses.Add(ip);
        return string.Join(",", addresses);
    }

    /// <summary>
    /// The docker CLI's PORTS cell (its <c>DisplayablePorts</c>), e.g.
    /// <c>53/udp, 0.0.0.0:8000-8001->8000-8001/tcp, 0.0.0.0:8080->80/tcp</c>. Rules, as the docker CLI applies them:
    /// entries are sorted by container port, then address, host port, protocol; a port with no address is only
    /// exposed (<c>80/tcp</c>); runs of consecutive ports are merged into a range when they share address and
    /// protocol and are either unpublished or published on the same port number (<c>0.0.0.0:80-81->80-81/tcp</c>);
    /// a port published on a different number is never merged (<c>0.0.0.0:9000->90/udp, 0.0.0.0:9001->91/udp</c>)
    /// and such entries come last. A run cut by a gap is written at once, the runs still open at the end after it,
    /// in the order they were opened; this is why Docker can print <c>80/tcp, 53/udp, 443/tcp</c>.
    /// </summary>
    public static string Ports(IReadOnlyList<PortSummary>? ports)
    {
        if (ports is null || ports.Count == 0) return "";
        var entries = new List<(string Ip, int Private, int Public, string Type)>(ports.Count);
        foreach (var p in ports)
        {
            // Docker omits both IP and PublicPort for an unpublished port. A public port without an address is
            // taken as published on every address, an address without a public port as unpublished.
            string ip = p.PublicPort is null ? "" : string.IsNullOrEmpty(p.IP) ? "0.0.0.0" : p.IP;
            entries.Add((ip, p.PrivatePort, p.PublicPort ?? 0, string.IsNullOrEmpty(p.Type) ? "tcp" : p.Type));
        }
        entries.Sort(static (a, b) =>
            a.Private != b.Private ? a.Private.CompareTo(b.Private)
            : a.Ip != b.Ip ? string.CompareOrdinal(a.Ip, b.Ip)
            : a.Public != b.Public ? a.Public.CompareTo(b.Public)
            : string.CompareOrdinal(a.Type, b.Type));

        var parts = new List<string>();
        var remapped = new List<string>();
        var open = new Dictionary<(string Ip, string Type), (int First, int Last)>();
        var opened = new List<(string Ip, string Type)>();
        foreach (var (ip, privatePort, publicPort, type) in entries)
        {
            if (ip.Length > 0 && publicPort != privatePort)
            {
                remapped.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{PublishSpec.JoinHostPort(ip, publicPort.ToString(CultureInfo.InvariantCulture))}->{privatePort}/{type}"));
                continue;
            }
            var key = (ip, type);
            if (!open.TryGetValue(key, out var run))
            {
                open[key] = (privatePort, privatePort);
                opened.Add(key);
            }
            else if (privatePort == run.Last + 1)
            {
                open[key] = (run.First, privatePort);
            }
            else
            {
                parts.Add(PortRun(key.ip, key.type, run.First, run.Last));
                open[key] = (privatePort, privatePort);
            }
        }
        foreach (var key in opened) parts.Add(PortRun(key.Ip, key.Type, open[key].First, open[key].Last));
        parts.AddRange(remapped);
        return string.Join(", ", parts);
    }

    // "80/tcp", "80-81/tcp", "0.0.0.0:80-81->80-81/tcp"
    private static string PortRun(string ip, string type, int first, int last)
    {
        string range = first == last
            ? first.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{first}-{last}");
        return ip.Length == 0 ? range + "/" + type : PublishSpec.JoinHostPort(ip, range) + "->" + range + "/" + type;
    }

    /// <summary>The docker CLI's cut: at most <paramref name="width"/> characters, the last one an ellipsis when cut.</summary>
    public static string Ellipsis(string text, int width)
    {
        var info = new StringInfo(text);
        if (info.LengthInTextElements <= width) return text;
        return info.SubstringByTextElements(0, width - 1) + "…";
    }

    /// <summary>Go's <c>strconv.Quote</c>, which the docker CLI applies to COMMAND: double quotes, with quotes,
    /// backslashes and control characters escaped.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>go-units' <c>HumanDuration</c>, which the docker CLI prints before " ago".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        int seconds = (int)d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        int minutes = (int)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        int hours = (int)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{(int)d.TotalHours / 24 / 365} years";
    }
}
