using System.Globalization;
using System.Text;
using MyDocker.Shared.Api;

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

    /// <summary><c>0.0.0.0:8080->80/tcp, 53/udp</c>, ordered by container port.</summary>
    public static string Ports(IReadOnlyList<PortSummary>? ports)
    {
        if (ports is null || ports.Count == 0) return "";
        var sorted = new List<PortSummary>(ports);
        sorted.Sort(static (a, b) => a.PrivatePort != b.PrivatePort
            ? a.PrivatePort.CompareTo(b.PrivatePort)
            : string.CompareOrdinal(a.Type, b.Type));
        var parts = new List<string>(sorted.Count);
        foreach (var p in sorted)
        {
            string inner = $"{p.PrivatePort}/{p.Type}";
            parts.Add(p.PublicPort is int published
                ? $"{(string.IsNullOrEmpty(p.IP) ? "0.0.0.0" : p.IP)}:{published}->{inner}"
                : inner);
        }
        return string.Join(", ", parts);
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
