using System.Globalization;
using System.Text.RegularExpressions;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// Docker's log settings as this engine has them (<c>--log-driver</c>, <c>--log-opt</c>, <c>HostConfig.LogConfig</c>). Every
/// container logs through conmon to a k8s-file log (Podman's name; Docker's default driver name "json-file" is taken as
/// the same, as Podman does). Its one option is "max-size", which becomes conmon's --log-size-max: when the next write
/// would pass it, conmon starts the log afresh (the old content is dropped: conmon 2.1.6 keeps no rotated copy, so
/// "max-file" other than 1 cannot be honoured). Docker's json-file does the same with its default max-file=1.
/// </summary>
public static partial class LogConfigRules
{
    /// <summary>What inspect reports as the driver.</summary>
    public const string Driver = "k8s-file";

    /// <summary>conmon reads a container's output 8 KiB at a time and writes each read whole; Podman's log_size_max has
    /// the same floor (containers.conf(5)).</summary>
    public const long MinMaxSize = 8192;

    /// <summary>
    /// Checks a driver name and options and returns the max-size value as given, or null for none. Anything else is
    /// refused by name: the engine honours no option it does not implement.
    /// </summary>
    public static string? MaxSizeOf(string? driver, IReadOnlyDictionary<string, string>? options)
    {
        if (driver is { Length: > 0 } && driver is not (Driver or "json-file"))
            throw EngineException.Invalid($"log driver '{driver}' is not supported: containers log to a file ({Driver}, also called json-file); leave --log-driver out");
        string? maxSize = null;
        foreach (var (key, value) in options ?? new Dictionary<string, string>())
        {
            switch (key)
            {
                case "max-size":
                    ParseMaxSize(value, "--log-opt max-size");
                    maxSize = value;
                    break;
                case "max-file" when value == "1":
                    break;
                case "max-file":
                    throw EngineException.Invalid($"--log-opt max-file={value} is not supported: the log is one file, started afresh at max-size; leave max-file out (or give 1)");
                default:
                    throw EngineException.Invalid($"--log-opt {key} is not supported; the only log option is max-size (e.g. --log-opt max-size=10m)");
            }
        }
        return maxSize;
    }

    /// <summary>
    /// Docker's max-size (go-units FromHumanSize, as Docker's json-file parses it): a number, optionally with a decimal
    /// fraction, then optionally k, m, g, t or p (powers of 1000), "i" and "b": "10m", "1.5g", "500kb". At least
    /// <see cref="MinMaxSize"/>. <paramref name="source"/> names the setting in the error.
    /// </summary>
    public static long ParseMaxSize(string value, string source)
    {
        var m = SizePattern().Match(value);
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            throw EngineException.Invalid($"{source}={value} is not a size; give a number with an optional unit k, m or g, e.g. 10m");
        int power = m.Groups[2].Success ? "kmgtp".IndexOf(char.ToLowerInvariant(m.Groups[2].Value[0])) + 1 : 0;
        decimal bytes = number;
        for (int i = 0; i <= power; i++)
        {
            if (bytes > long.MaxValue)
                throw EngineException.Invalid($"{source}={value} is too large; give a size such as 10g");
            if (i < power) bytes *= 1000;
        }
        if (bytes < MinMaxSize)
            throw EngineException.Invalid($"{source}={value} is below {MinMaxSize} bytes, the most conmon writes at once; give at least 10k");
        return (long)bytes;
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();
}
