using System.Globalization;

namespace MyDocker.Shared.Run;

/// <summary>
/// The syntax of <c>run</c>'s values, shared by the CLI (which turns a <see cref="FormatException"/> into a usage error)
/// and the dashboard's run wizard (which shows the message under the field as the user types), so both accept and
/// refuse the same things with the same words.
/// </summary>
public static class RunValues
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
            throw new FormatException($"invalid argument \"{value}\" for \"{spelling}\" flag: expected a size such as 6m, 512m or 1.5g (units b, k, m, g; 1k = 1024 bytes)");
        decimal bytes = amount * multiplier;
        if (bytes > long.MaxValue)
            throw new FormatException($"invalid argument \"{value}\" for \"{spelling}\" flag: the size is too large");
        return (long)bytes;
    }

    /// <summary>Docker's <c>--cpus</c>: a non-negative decimal number of CPUs, turned into NanoCpus (1.5 → 1500000000).</summary>
    public static long ParseCpus(string value)
    {
        if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus))
            throw new FormatException($"invalid argument \"{value}\" for \"--cpus\" flag: expected a number of CPUs such as 0.5 or 2");
        decimal nanos = cpus * 1_000_000_000m;
        if (nanos != decimal.Truncate(nanos))
            throw new FormatException($"invalid argument \"{value}\" for \"--cpus\" flag: at most 9 decimal places");
        if (nanos > long.MaxValue)
            throw new FormatException($"invalid argument \"{value}\" for \"--cpus\" flag: too many CPUs");
        return (long)nanos;
    }

    /// <summary>Null if <paramref name="value"/> is a well-formed <c>-e</c> value (<c>K=V</c>, or <c>K</c> when
    /// <paramref name="allowBareName"/>), else why not.</summary>
    public static string? EnvProblem(string value, bool allowBareName = true)
    {
        int eq = value.IndexOf('=');
        if (eq == 0 || value.Length == 0 || value.AsSpan(0, eq < 0 ? value.Length : eq).ContainsAny(" \t\n"))
            return $"invalid environment variable \"{value}\": write KEY=VALUE" + (allowBareName ? ", or KEY to pass the value this shell has" : "");
        if (eq < 0 && !allowBareName) return $"invalid environment variable \"{value}\": write KEY=VALUE (an empty value is KEY=)";
        return null;
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
            throw new FormatException($"invalid container name \"{value}\": it {problem}; use at least 2 characters from [a-zA-Z0-9_.-], starting with a letter or digit");
        return value;
    }
}
