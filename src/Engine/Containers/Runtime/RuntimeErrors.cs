using System.Text.RegularExpressions;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// The container's process could not be started. <see cref="ExitCode"/> is what `docker run` exits with in that case
/// (127: command not found, 126: not executable, 125: any other runtime failure); <see cref="Kind"/> maps to the HTTP
/// status as Docker's daemon/start.go does (a missing or non-executable command is the caller's mistake).
/// </summary>
public sealed class ContainerStartException(string containerId, string reason, int exitCode)
    : Exception($"cannot start container {containerId}: {reason}")
{
    public string ContainerId { get; } = containerId;
    /// <summary>The runtime's explanation in plain words, without log noise and wrapper prefixes.</summary>
    public string Reason { get; } = reason;
    public int ExitCode { get; } = exitCode;
    public ErrorKind Kind => ExitCode is 126 or 127 ? ErrorKind.InvalidArgument : ErrorKind.Internal;
}

/// <summary>Turns runc's (and conmon's) error text into a sentence a user can act on.</summary>
public static partial class RuntimeErrors
{
    /// <summary>
    /// Drops logrus noise lines (time="..." level=warning ...), takes the msg="..." of error lines, and strips the
    /// wrappers every failure carries ("runc create failed: unable to start container process: ").
    /// </summary>
    public static string Clean(string text)
    {
        var kept = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var m = LogrusLine().Match(line);
            if (m.Success)
            {
                if (m.Groups["level"].Value is not ("error" or "fatal" or "panic")) continue;
                line = m.Groups["msg"].Success ? Unquote(m.Groups["msg"].Value) : m.Groups["rest"].Value.Trim();
            }
            kept.Add(line);
        }
        var message = string.Join("; ", kept);
        foreach (var prefix in WrapperPrefixes)
            while (message.StartsWith(prefix, StringComparison.Ordinal)) message = message[prefix.Length..];
        return message.Length == 0 ? "the OCI runtime failed without saying why" : message;
    }

    private static readonly string[] WrapperPrefixes =
        ["runc create failed: ", "crun create failed: ", "OCI runtime error: ", "unable to start container process: "];

    /// <summary>docker run's exit codes for a process that could not start.</summary>
    public static int ExitCodeFor(string message) =>
        message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
        || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase) ? 127
        : message.Contains("permission denied", StringComparison.OrdinalIgnoreCase) ? 126
        : 125;

    /// <summary>runc's way of saying the container is not there (state, kill, delete).</summary>
    public static bool IsNotFound(string stderr) =>
        stderr.Contains("does not exist", StringComparison.Ordinal) || stderr.Contains("container not found", StringComparison.Ordinal);

    /// <summary>runc kill on a container whose process has already exited.</summary>
    public static bool IsNotRunning(string stderr) =>
        stderr.Contains("not running", StringComparison.Ordinal)
        || stderr.Contains("process already finished", StringComparison.Ordinal)
        || stderr.Contains("no such process", StringComparison.Ordinal);

    private static string Unquote(string quoted) => quoted.Replace("\\\"", "\"").Replace("\\\\", "\\");

    [GeneratedRegex("""^time="[^"]*"\s+level=(?<level>\w+)(?:\s+msg="(?<msg>(?:[^"\\]|\\.)*)")?(?<rest>.*)$""")]
    private static partial Regex LogrusLine();
}
