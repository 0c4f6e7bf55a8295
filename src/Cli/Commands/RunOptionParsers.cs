using System.Globalization;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Ports;
using MyDocker.Shared.Run;

namespace MyDocker.Cli.Commands;

/// <summary>
/// Parsers for the values of <c>run</c>'s flags, with the docker CLI's syntax. Each refuses a bad value with a
/// <see cref="UsageException"/> that names the value, the flag and the expected form, before anything is sent.
/// </summary>
public static class RunOptionParsers
{
    /// <summary>Docker's memory size (<see cref="RunValues.ParseMemory"/>): <c>32m</c>, <c>1.5g</c>, <c>512MiB</c>.</summary>
    public static long ParseMemory(string value, string spelling = "-m, --memory") => Usage(() => RunValues.ParseMemory(value, spelling));

    /// <summary>Docker's <c>--cpus</c> (<see cref="RunValues.ParseCpus"/>): 1.5 → 1500000000 NanoCpus.</summary>
    public static long ParseCpus(string value) => Usage(() => RunValues.ParseCpus(value));

    /// <summary>
    /// A dotted-quad IPv4 address (<c>10.10.10.5</c>), strictly, by <see cref="PublishSpec.IsIPv4"/>: four decimal
    /// numbers 0-255 without leading zeros (not <c>10.1</c> or <c>0x0a.1.1.1</c>, which IPAddress.TryParse would take).
    /// </summary>
    public static string ParseIPv4(string value) => PublishSpec.IsIPv4(value)
        ? value
        : throw new UsageException($"invalid IPv4 address \"{value}\" for \"--ip\" flag: write four numbers 0-255, e.g. 10.10.10.5 (IPv6 is not supported)");

    /// <summary>
    /// <c>-e K=V</c> as is (V may be empty or contain '='); <c>-e K</c> takes K's value from the CLI's environment and is
    /// dropped when K is unset there, as the docker CLI does.
    /// </summary>
    public static string? ParseEnv(string value, Func<string, string?> env)
    {
        if (RunValues.EnvProblem(value) is { } problem) throw new UsageException(problem);
        int eq = value.IndexOf('=');
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
    /// <c>-p</c> values (Docker's <c>[HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]</c>, see <see cref="PublishSpec"/>) as port
    /// requests, in the order given.
    /// </summary>
    public static IReadOnlyList<PortRequest> ParsePublish(IEnumerable<string> values) => Usage(() => PublishSpec.ParseAll(values));

    /// <summary>
    /// A <c>--security-opt</c> value as the docker CLI sends it (cli/command/container/opts.go parseSecurityOpts):
    /// <c>seccomp=FILE</c> becomes <c>seccomp=</c> and the file's JSON, compacted; <c>seccomp=unconfined</c>,
    /// <c>seccomp=builtin</c> and every other option go as they are, for the daemon to check.
    /// </summary>
    public static string ParseSecurityOpt(string value)
    {
        int cut = value.IndexOf('=');
        if (cut < 0 && value != "no-new-privileges") cut = value.IndexOf(':');
        if ((cut < 0 || cut == value.Length - 1) && value != "no-new-privileges")
            throw new UsageException($"invalid --security-opt \"{value}\": write KEY=VALUE, e.g. seccomp=unconfined, or no-new-privileges");
        if (cut < 0 || value[..cut] != "seccomp" || value[(cut + 1)..] is "unconfined" or "builtin") return value;
        string file = value[(cut + 1)..];
        byte[] json;
        try { json = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"opening seccomp profile ({file}) failed: {e.Message}");
        }
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            using var compact = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(compact)) doc.WriteTo(writer);
            return "seccomp=" + System.Text.Encoding.UTF8.GetString(compact.ToArray());
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UsageException($"seccomp profile ({file}) is not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// <c>--pids-limit N</c>: a whole number; 0 or -1 (any negative, as Docker) is no limit, sent as -1 because the
    /// daemon reads 0 as "not given" (the docker CLI sends 0 when the flag is absent).
    /// </summary>
    public static long ParsePidsLimit(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
            ? (n <= 0 ? -1 : n)
            : throw new UsageException($"invalid argument \"{value}\" for \"--pids-limit\" flag: expected a whole number (0 or -1 for unlimited)");

    /// <summary><c>--dns IP</c>: an IPv4 or IPv6 address (<see cref="DnsValues.NameServerProblem"/>).</summary>
    public static string ParseDns(string value) => Checked(value, DnsValues.NameServerProblem(value));

    /// <summary><c>--dns-search DOMAIN</c>, or "." for none (<see cref="DnsValues.SearchDomainProblem"/>).</summary>
    public static string ParseDnsSearch(string value) => Checked(value, DnsValues.SearchDomainProblem(value));

    /// <summary><c>--dns-option OPT</c> (<see cref="DnsValues.OptionProblem"/>).</summary>
    public static string ParseDnsOption(string value) => Checked(value, DnsValues.OptionProblem(value));

    /// <summary><c>--add-host NAME:IP</c>, <c>NAME=IP</c> or <c>NAME:host-gateway</c>, sent as NAME:IP as the docker
    /// CLI does (<see cref="DnsValues.NormalizeExtraHost"/>).</summary>
    public static string ParseAddHost(string value) => Usage(() => DnsValues.NormalizeExtraHost(value));

    private static string Checked(string value, string? problem) => problem is null ? value : throw new UsageException(problem);

    /// <summary>Docker's container name rule (<see cref="RunValues.ParseName"/>).</summary>
    public static string ParseName(string value) => Usage(() => RunValues.ParseName(value));

    private static T Usage<T>(Func<T> parse)
    {
        try { return parse(); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }

    /// <summary>A whole number of seconds (<c>stop -t</c>): negative means no limit, as in Docker; one too large for
    /// an int is as long as the daemon waits anyway (it clamps), not an error.</summary>
    public static int ParseSeconds(string value, string spelling)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seconds)) return seconds;
        string digits = value.StartsWith('-') ? value[1..] : value;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit)) return value.StartsWith('-') ? -1 : int.MaxValue;
        throw new UsageException($"invalid argument \"{value}\" for \"{spelling}\" flag: expected a whole number of seconds");
    }
}
