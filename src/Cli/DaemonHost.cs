using MyDocker.Cli.Parsing;

namespace MyDocker.Cli;

/// <summary>Where the daemon listens: only unix sockets, since the daemon serves nothing else (DESIGN.md §1).</summary>
public static class DaemonHost
{
    public const string Default = "unix:///run/mydocker/mydocker.sock";
    private const string UnixScheme = "unix://";

    /// <summary>
    /// The host to talk to, in order: <c>-H/--host</c>, <c>MYDOCKER_HOST</c>, <c>DOCKER_HOST</c> when it is a
    /// unix:// address (a tcp:// DOCKER_HOST belongs to a real Docker set-up and is ignored), the default.
    /// </summary>
    /// <exception cref="UsageException">The flag or MYDOCKER_HOST is not a unix socket address.</exception>
    public static string Resolve(string? flag, Func<string, string?> env)
    {
        if (!string.IsNullOrEmpty(flag)) return Normalize(flag, "-H/--host");
        var mine = env("MYDOCKER_HOST");
        if (!string.IsNullOrEmpty(mine)) return Normalize(mine, "MYDOCKER_HOST");
        var docker = env("DOCKER_HOST");
        if (docker is not null && docker.StartsWith(UnixScheme, StringComparison.Ordinal)) return Normalize(docker, "DOCKER_HOST");
        return Default;
    }

    /// <summary>The socket path of a <c>unix:///path</c> address.</summary>
    public static string SocketPath(string host) =>
        host.StartsWith(UnixScheme, StringComparison.Ordinal) ? host[UnixScheme.Length..] : host;

    // Accepts unix:///abs/path and, as a convenience, a bare absolute path.
    private static string Normalize(string value, string source)
    {
        string path;
        if (value.StartsWith(UnixScheme, StringComparison.Ordinal)) path = value[UnixScheme.Length..];
        else if (value.Contains("://", StringComparison.Ordinal)) path = "";
        else path = value;
        if (path.Length < 2 || path[0] != '/')
            throw new UsageException($"invalid host \"{value}\" from {source}: only unix sockets are supported, e.g. {Default}");
        return UnixScheme + path;
    }
}
