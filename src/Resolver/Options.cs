using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MyDocker.Resolver;

/// <summary>The command line: <c>--listen IP [--port 53] --control PATH [--snapshot PATH] [--pid-file PATH]
/// [--resolv-conf PATH]</c>. An option we do not know is refused by name.</summary>
public sealed record Options(IPAddress Listen, int Port, string Control, string? Snapshot, string? PidFile, string ResolvConf)
{
    public const string Usage =
        "usage: mydocker-resolver --listen IPV4 [--port 53] --control PATH [--snapshot PATH] [--pid-file PATH] [--resolv-conf /etc/resolv.conf]";

    /// <exception cref="ArgumentException">A bad or missing option, named.</exception>
    public static Options Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            var name = args[i];
            if (name is not ("--listen" or "--port" or "--control" or "--snapshot" or "--pid-file" or "--resolv-conf"))
                throw new ArgumentException($"unknown option '{name}'; {Usage}");
            if (i + 1 >= args.Count) throw new ArgumentException($"option {name} needs a value");
            if (!values.TryAdd(name, args[i + 1])) throw new ArgumentException($"option {name} is given twice");
        }
        var listenText = values.GetValueOrDefault("--listen") ?? throw new ArgumentException($"--listen is required; {Usage}");
        if (!IPAddress.TryParse(listenText, out var listen) || listen.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"--listen '{listenText}' is not an IPv4 address");
        var port = 53;
        if (values.TryGetValue("--port", out var portText)
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            throw new ArgumentException($"--port '{portText}' is not a port number (1-65535)");
        var control = values.GetValueOrDefault("--control") ?? throw new ArgumentException($"--control is required; {Usage}");
        return new Options(listen, port, Full(control, "--control"), Full(values.GetValueOrDefault("--snapshot"), "--snapshot"),
            Full(values.GetValueOrDefault("--pid-file"), "--pid-file"), Full(values.GetValueOrDefault("--resolv-conf") ?? "/etc/resolv.conf", "--resolv-conf"));
    }

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(path))]
    private static string? Full(string? path, string option) => path is null ? null
        : path.Length > 0 && Path.IsPathFullyQualified(path) ? path
        : throw new ArgumentException($"{option} '{path}' must be an absolute path");
}
