using System.Globalization;
using System.Security.Cryptography;
using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Containers;

/// <summary>Checks a container request before anything is recorded or made (pure; unit-tested).</summary>
public static class ContainerPlanner
{
    /// <summary>Docker refuses smaller memory limits ("Minimum memory limit allowed is 6MB"): below it a container
    /// cannot even start its init.</summary>
    public const long MinimumMemoryBytes = 6 * 1024 * 1024;

    public static void Validate(ContainerCreateSpec request, Func<string, bool> hostPathExists)
    {
        if (request.Name is not null) NameRules.ValidateObjectName(request.Name, "container");
        if (string.IsNullOrWhiteSpace(request.Image))
            throw EngineException.Invalid("no image given; name an image (see 'mydocker images')");
        var spec = request.Spec;
        if (spec.MemoryBytes < 0) throw EngineException.Invalid($"memory limit {spec.MemoryBytes} is negative; give a size such as 64m");
        if (spec.MemoryBytes is long m && m != 0 && m < MinimumMemoryBytes)
            throw EngineException.Invalid($"memory limit {m} bytes is below the minimum of 6 MiB; give -m 6m or more");
        if (spec.NanoCpus < 0) throw EngineException.Invalid($"--cpus {spec.NanoCpus / 1e9} is negative; give a number such as 0.5");
        if (spec.NanoCpus is long n && n > (long)System.Environment.ProcessorCount * 1_000_000_000)
            throw EngineException.Invalid($"--cpus {(n / 1e9).ToString(CultureInfo.InvariantCulture)} is more than the {System.Environment.ProcessorCount} CPUs of this host; give at most {System.Environment.ProcessorCount}");
        if (spec.LogMaxSize is { } logMaxSize) Logs.LogConfigRules.ParseMaxSize(logMaxSize, "--log-opt max-size");
        foreach (var e in spec.Env)
            if (e.Length == 0 || e[0] == '=')
                throw EngineException.Invalid($"environment entry '{e}' has no name; give NAME=VALUE");
        if (spec.Hostname is { } hostname) ValidateDnsName(hostname, "hostname", "--hostname web");
        if (spec.Domainname is { } domain) ValidateDnsName(domain, "domain name", "--domainname example.com");
        if (spec.WorkingDir is { } dir) ValidateWorkingDir(dir, "-w /app");
        Dns.DnsRules.Validate(spec);
        foreach (var b in spec.Binds)
        {
            if (!Path.IsPathRooted(b.Source))
                throw EngineException.Invalid($"volume '{b}': host path '{b.Source}' is relative; give an absolute path (named volumes are not supported)");
            if (!hostPathExists(b.Source))
                throw EngineException.Invalid($"volume '{b}': host path '{b.Source}' does not exist; create it first or fix the path");
            if (!b.Destination.StartsWith('/'))
                throw EngineException.Invalid($"volume '{b}': container path '{b.Destination}' is relative; give an absolute path");
            if (b.Destination == "/" || b.Destination.Split('/').Contains(".."))
                throw EngineException.Invalid($"volume '{b}': container path '{b.Destination}' is not allowed; mount under a directory such as /data");
        }
    }

    /// <summary>
    /// Warnings for binds that hand the container the engine's own state (audit L11): a source that is, holds or lies
    /// inside the data root (the database, session.key, layers) or the exec root (the API socket, runtime state). Docker
    /// allows such binds, and so do we (a container that manages the engine is a real use), but says so at create.
    /// Paths are compared after resolving symlinks, so /var/run/x and /run/x are the same place.
    /// </summary>
    public static List<string> EngineStateBindWarnings(IEnumerable<BindSpec> binds, IReadOnlyList<(string Path, string Holds)> enginePaths,
        Func<string, string> resolve)
    {
        var warnings = new List<string>();
        foreach (var b in binds)
        {
            string source = resolve(b.Source);
            foreach (var (path, holds) in enginePaths)
            {
                string engine = resolve(path);
                if (!IsSameOrBelow(source, engine) && !IsSameOrBelow(engine, source)) continue;
                warnings.Add($"volume '{b}' gives the container {path} ({holds}): it can control the engine and the host as root; " +
                             "bind a directory of its own unless that is what you mean");
                break;
            }
        }
        return warnings;
    }

    private static bool IsSameOrBelow(string path, string dir)
    {
        path = Path.TrimEndingDirectorySeparator(path);
        dir = Path.TrimEndingDirectorySeparator(dir);
        return path == dir || path.StartsWith(dir == "/" ? "/" : dir + "/", StringComparison.Ordinal);
    }

    /// <summary>Longest host and domain name: the kernel's UTS fields hold 64 bytes (__NEW_UTS_LEN, sethostname(2)).</summary>
    public const int MaxUtsName = 64;

    /// <summary>
    /// A host or domain name as RFC 1123 allows it: dot-separated labels of 1-63 letters, digits and inner hyphens,
    /// at most <see cref="MaxUtsName"/> bytes in all. Both end up in the container's UTS namespace, and the hostname also
    /// in its /etc/hosts, where a newline or a space would add entries of the client's choosing.
    /// </summary>
    public static void ValidateDnsName(string name, string what, string example)
    {
        if (name.Length > MaxUtsName)
            throw EngineException.Invalid($"{what} '{Shorten(name)}' is {name.Length} characters; at most {MaxUtsName} are allowed (e.g. {example})");
        foreach (var label in name.Split('.'))
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                throw EngineException.Invalid(
                    $"{what} '{Shorten(name)}' is not valid: use letters, digits and hyphens in dot-separated labels of 1 to 63 characters, not starting or ending with a hyphen (e.g. {example})");
    }

    /// <summary>Docker's rule (translateWorkingDir): a working directory must be absolute; runc would refuse it only at start.</summary>
    public static void ValidateWorkingDir(string dir, string example)
    {
        if (!dir.StartsWith('/'))
            throw EngineException.Invalid($"the working directory '{Shorten(dir)}' is invalid: it needs to be an absolute path (e.g. {example})");
        if (dir.Contains('\0'))
            throw EngineException.Invalid("the working directory contains a NUL character");
    }

    /// <summary>Text from a request, quoted in a message: one line, and not a page long.</summary>
    private static string Shorten(string text)
    {
        var oneLine = string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
        return oneLine.Length > 80 ? oneLine[..80] + "..." : oneLine;
    }

    /// <summary>
    /// The spec as it is stored: capability names normalised ("net_raw" → "CAP_NET_RAW", as the docker CLI sends them)
    /// and the pids limit in force — the request's, or <paramref name="defaultPidsLimit"/> when it gives none; 0 means
    /// none (Docker takes 0 and any negative value as "unlimited").
    /// </summary>
    public static ContainerSpec Resolve(ContainerSpec spec, long defaultPidsLimit) => spec with
    {
        CapAdd = Security.Capabilities.Validate(spec.CapAdd, "--cap-add"),
        CapDrop = Security.Capabilities.Validate(spec.CapDrop, "--cap-drop"),
        PidsLimit = Math.Max(0, spec.PidsLimit ?? defaultPidsLimit),
    };

    /// <summary>Parses Docker's bind syntax HOST:CONTAINER[:ro|rw].</summary>
    public static BindSpec ParseBind(string bind)
    {
        var parts = bind.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[1].Length == 0)
            throw EngineException.Invalid($"volume '{bind}' is not HOST:CONTAINER[:ro]; e.g. -v /srv/data:/data:ro");
        bool ro = false;
        if (parts.Length == 3)
            ro = parts[2] switch
            {
                "ro" => true,
                "rw" => false,
                _ => throw EngineException.Invalid($"volume '{bind}': mode '{parts[2]}' is unknown; use ro or rw"),
            };
        return new BindSpec(parts[0], parts[1], ro);
    }

    /// <summary>The command that runs: Docker's rule — the entrypoint (the request's or the image's) followed by the
    /// command (the request's, or the image's when the request gives no entrypoint and no command).</summary>
    public static List<string> Command(ContainerSpec spec, Images.ImageConfig image)
    {
        var entrypoint = spec.Entrypoint ?? image.Entrypoint ?? [];
        // Docker: setting --entrypoint clears the image's Cmd.
        var cmd = spec.Cmd ?? (spec.Entrypoint is null ? image.Cmd ?? [] : []);
        return [.. entrypoint, .. cmd];
    }

    /// <summary>The image's environment overridden by the request's, by name, keeping the image's order.</summary>
    public static List<string> Environment(IEnumerable<string>? image, IEnumerable<string> request)
    {
        var result = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in (image ?? []).Concat(request))
        {
            string key = e.Split('=', 2)[0];
            if (index.TryGetValue(key, out int i)) result[i] = e;
            else { index[key] = result.Count; result.Add(e); }
        }
        return result;
    }

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static readonly string[] Adjectives =
        ["brave", "calm", "eager", "fond", "gentle", "happy", "keen", "lucid", "merry", "nifty", "quiet", "sharp", "tender", "upbeat", "vivid", "witty"];
    private static readonly string[] Nouns =
        ["bohr", "curie", "darwin", "euler", "fermi", "gauss", "hopper", "kepler", "lovelace", "noether", "pascal", "ritchie", "shannon", "turing", "wozniak", "yalow"];

    /// <summary>Docker-like adjective_noun names; the caller retries on a clash.</summary>
    public static string NewName() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}{RandomNumberGenerator.GetInt32(100)}";
}
