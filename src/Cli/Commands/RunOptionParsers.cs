using System.Globalization;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Ports;

namespace MyDocker.Cli.Commands;

/// <summary>
/// Parsers for the values of <c>run</c>'s flags, with the docker CLI's syntax. Each refuses a bad value with a
/// <see cref="UsageException"/> that names the value, the flag and the expected form, before anything is sent.
/// </summary>
public static class RunOptionParsers
{
    /// <summary>
    /// Docker's memory size (go-units RAMInBytes): a number, optionally with a fraction, then an optional unit
    /// b, k, m, g, t or p (any case), optionally followed by <c>i</c> and/or <c>b</c>: <c>32m</c>, <c>1.5g</c>,
    /// <c>512MiB</c>, <c>1048576</c>. Units are binary: <c>32m</c> is 33554432 bytes.
    /// </summary>
    public static long ParseMemory(string value, string spelling = "-m, --memory")
    {
        var s = value.AsSpan();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        var number = s[..i];
        var unit = s[i..];
        if (unit.Length > 0 && unit[0] == ' ') unit = unit[1..];
        long multiplier = 1;
        if (unit.Length > 0 && "kmgtpKMGTP".Contains(unit[0]))
        {
            multiplier = char.ToLowerInvariant(unit[0]) switch
            {
                'k' => 1L << 10,
                'm' => 1L << 20,
                'g' => 1L << 30,
                't' => 1L << 40,
                _ => 1L << 50,
            };
            unit = unit[1..];
        }
        if (unit.Length > 0 && unit[0] is 'i' or 'I') unit = unit[1..];
        if (unit.Length > 0 && unit[0] is 'b' or 'B') unit = unit[1..];
        if (number.Length == 0 || number[0] == '.' || number.Count('.') > 1 || unit.Length > 0
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            throw new UsageException($"invalid argument \"{value}\" for \"{spelling}\" flag: expected a size such as 6m, 512m or 1.5g (units b, k, m, g; 1k = 1024 bytes)");
        decimal bytes = amount * multiplier;
        if (bytes > long.MaxValue)
            throw new UsageException($"invalid argument \"{value}\" for \"{spelling}\" flag: the size is too large");
        return (long)bytes;
    }

    /// <summary>Docker's <c>--cpus</c>: a non-negative decimal number of CPUs, turned into NanoCpus (1.5 → 1500000000).</summary>
    public static long ParseCpus(string value)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus))
            throw new UsageException($"invalid argument \"{value}\" for \"--cpus\" flag: expected a number of CPUs such as 0.5 or 2");
        decimal nanos = cpus * 1_000_000_000m;
        if (nanos != decimal.Truncate(nanos))
            throw new UsageException($"invalid argument \"{value}\" for \"--cpus\" flag: at most 9 decimal places");
        if (nanos > long.MaxValue)
            throw new UsageException($"invalid argument \"{value}\" for \"--cpus\" flag: too many CPUs");
        return (long)nanos;
    }

    /// <summary>
    /// A dotted-quad IPv4 address (<c>10.10.10.5</c>), strictly: four decimal numbers 0-255 without leading zeros.
    /// <see cref="System.Net.IPAddress.TryParse(string?, out System.Net.IPAddress?)"/> would also take <c>10.1</c>
    /// or <c>0x0a.1.1.1</c>, which no one means here.
    /// </summary>
    public static string ParseIPv4(string value)
    {
        var parts = value.Split('.');
        bool ok = parts.Length == 4;
        foreach (var part in parts)
        {
            ok &= part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit) && (part.Length == 1 || part[0] != '0')
                  && int.Parse(part, CultureInfo.InvariantCulture) <= 255;
            if (!ok) break;
        }
        if (!ok) throw new UsageException($"invalid IPv4 address \"{value}\" for \"--ip\" flag: write four numbers 0-255, e.g. 10.10.10.5 (IPv6 is not supported)");
        return value;
    }

    /// <summary>
    /// <c>-e K=V</c> as is (V may be empty or contain '='); <c>-e K</c> takes K's value from the CLI's environment and is
    /// dropped when K is unset there, as the docker CLI does.
    /// </summary>
    public static string? ParseEnv(string value, Func<string, string?> env)
    {
        int eq = value.IndexOf('=');
        if (eq == 0 || value.Length == 0 || value.AsSpan(0, eq < 0 ? value.Length : eq).ContainsAny(" \t\n"))
            throw new UsageException($"invalid environment variable \"{value}\": write KEY=VALUE, or KEY to pass the value this shell has");
        if (eq > 0) return value;
        return env(value) is { } inherited ? value + "=" + inherited : null;
    }

    /// <summary>
    /// <c>-v HOST:CONTAINER[:ro|rw]</c>, both paths absolute. Named volumes are not supported, so a relative host
    /// path is refused here with a hint rather than taken for a volume name. Whether the host path exists is the
    /// daemon's to check.
    /// </summary>
    public static string ParseBind(string value)
    {
        var parts = value.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new UsageException($"invalid volume \"{value}\" for \"-v\" flag: write HOST-PATH:CONTAINER-PATH[:ro], e.g. /srv/data:/data:ro");
        if (parts[0][0] != '/')
            throw new UsageException($"invalid volume \"{value}\": the host path \"{parts[0]}\" must be absolute (named volumes are not supported); use $PWD/{parts[0]} for a directory here");
        if (parts[1][0] != '/')
            throw new UsageException($"invalid volume \"{value}\": the container path \"{parts[1]}\" must be absolute");
        if (parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            throw new UsageException($"invalid volume \"{value}\": unknown mode \"{parts[2]}\", use ro or rw");
        return value;
    }

    /// <summary>
    /// <c>-p</c> values (Docker's <c>[HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]</c>, see <see cref="PublishSpec"/>) merged
    /// into the create request's ExposedPorts and PortBindings, in the order given.
    /// </summary>
    public static PortMaps ParsePublish(IEnumerable<string> values)
    {
        try
        {
            return PublishSpec.ToDockerMaps(values);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Docker's container name rule: <c>/?[a-zA-Z0-9][a-zA-Z0-9_.-]+</c>; the error names what broke it.</summary>
    public static string ParseName(string value)
    {
        var name = value.StartsWith('/') ? value[1..] : value;
        string? problem = name.Length < 2 ? "is shorter than 2 characters"
            : !char.IsAsciiLetterOrDigit(name[0]) ? $"starts with '{name[0]}'"
            : name.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')) switch
            {
                '\0' => null,
                ' ' => "contains a space",
                var c => $"contains '{c}'",
            };
        if (problem is not null)
            throw new UsageException($"invalid container name \"{value}\": it {problem}; use at least 2 characters from [a-zA-Z0-9_.-], starting with a letter or digit");
        return value;
    }

    /// <summary>A whole number of seconds, 0 or more (<c>stop -t</c>).</summary>
    public static int ParseSeconds(string value, string spelling)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            throw new UsageException($"invalid argument \"{value}\" for \"{spelling}\" flag: expected a whole number of seconds");
        return seconds;
    }
}
