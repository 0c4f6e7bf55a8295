using System.Globalization;
using MyDocker.Cli.Output;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;
using MyDocker.Shared.Ports;

namespace MyDocker.Cli.Commands;

/// <summary>
/// <c>mydocker port CONTAINER [PRIVATE_PORT[/PROTO]]</c> (also <c>mydocker container port</c>): the container's
/// published ports from inspect's <c>NetworkSettings.Ports</c>, printed as the docker CLI prints them: all bindings as
/// <c>80/tcp -> 0.0.0.0:8080</c>, or for one container port only its host sides (<c>0.0.0.0:8080</c>), one per line
/// in natural order. A port that is not published is an error (exit 1), as with docker.
/// </summary>
public static class PortCommand
{
    public static readonly CommandSpec Spec = new()
    {
        Name = "port",
        Summary = "List port mappings or a specific mapping for the container",
        ArgsUsage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
        MinArgs = 1,
        MaxArgs = 2,
        Run = RunAsync,
    };

    /// <summary>
    /// The key Docker stores a container port under: <c>80</c> → <c>80/tcp</c>, <c>53/UDP</c> → <c>53/udp</c>.
    /// </summary>
    /// <exception cref="UsageException">Not a port 1-65535, or a protocol other than tcp/udp/sctp.</exception>
    public static string ParsePrivatePort(string value)
    {
        int slash = value.IndexOf('/');
        string port = slash < 0 ? value : value[..slash];
        string protocol = slash < 0 || slash == value.Length - 1 ? PublishSpec.Tcp : value[(slash + 1)..].ToLowerInvariant();
        if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit)
            || int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture) is 0 or > PublishSpec.MaxPort)
            throw new UsageException($"invalid port \"{value}\": give a container port 1-{PublishSpec.MaxPort}, optionally with /tcp or /udp, e.g. 80 or 53/udp");
        if (protocol is not (PublishSpec.Tcp or PublishSpec.Udp or "sctp"))
            throw new UsageException($"invalid port \"{value}\": unknown protocol \"{protocol}\", use tcp or udp");
        return int.Parse(port, NumberStyles.None, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "/" + protocol;
    }

    /// <summary>Every binding as <c>80/tcp -> 0.0.0.0:8080</c>, in natural order; ports exposed but not published are left out.</summary>
    public static List<string> AllLines(IReadOnlyDictionary<string, List<PortBinding>?>? ports)
    {
        var lines = new List<string>();
        if (ports is null) return lines;
        foreach (var (key, bindings) in ports)
            foreach (var binding in bindings ?? [])
                lines.Add(PublishSpec.Format(key, binding));
        lines.Sort(NaturalOrder.Instance);
        return lines;
    }

    /// <summary>The host sides (<c>0.0.0.0:8080</c>) of one container port, in natural order; empty when it is not published.</summary>
    /// <param name="portKey">As <see cref="ParsePrivatePort"/> returns it: <c>80/tcp</c>.</param>
    public static List<string> LinesFor(IReadOnlyDictionary<string, List<PortBinding>?>? ports, string portKey)
    {
        var lines = new List<string>();
        if (ports is not null && ports.TryGetValue(portKey, out var bindings))
            foreach (var binding in bindings ?? [])
                lines.Add(PublishSpec.FormatHost(binding));
        lines.Sort(NaturalOrder.Instance);
        return lines;
    }

    private static async Task<int> RunAsync(CommandContext context, ParsedArgs args)
    {
        string container = args.Positionals[0];
        string? portKey = args.Positionals.Count > 1 ? ParsePrivatePort(args.Positionals[1]) : null;
        string path = "/containers/" + Uri.EscapeDataString(container) + "/json";
        var raw = await context.Daemon.InspectContainerRawAsync(container, context.Cancel).ConfigureAwait(false);
        var inspect = DaemonClient.Decode(raw, ApiJsonContext.Default.ContainerInspect, HttpMethod.Get, path);
        var ports = inspect.NetworkSettings?.Ports;

        List<string> lines;
        if (portKey is null) lines = AllLines(ports);
        else
        {
            lines = LinesFor(ports, portKey);
            if (lines.Count == 0)
            {
                context.Error($"no public port '{portKey}' published for {container}");
                return CliApp.ExitDaemonError;
            }
        }
        foreach (var line in lines) context.Out.WriteLine(line);
        return CliApp.ExitOk;
    }
}
