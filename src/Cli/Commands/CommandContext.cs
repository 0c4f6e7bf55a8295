namespace MyDocker.Cli.Commands;

/// <summary>
/// What a command handler gets besides its arguments: output writers, the command's full name for messages,
/// and the daemon client, created on first use (so <c>--help</c> and usage errors never touch the socket).
/// </summary>
public sealed class CommandContext : IDisposable
{
    private readonly string? _hostFlag;
    private readonly Func<string, string?> _env;
    private DaemonClient? _daemon;

    public CommandContext(TextWriter stdout, TextWriter stderr, string commandPath, string? hostFlag, Func<string, string?> env, CancellationToken cancel)
    {
        Out = stdout;
        Err = stderr;
        CommandPath = commandPath;
        _hostFlag = hostFlag;
        _env = env;
        Cancel = cancel;
    }

    public TextWriter Out { get; }
    public TextWriter Err { get; }
    /// <summary>e.g. <c>mydocker network create</c>.</summary>
    public string CommandPath { get; }
    /// <summary>Cancelled by the first Ctrl-C.</summary>
    public CancellationToken Cancel { get; }
    /// <summary>The CLI's environment (for <c>run -e KEY</c>).</summary>
    public Func<string, string?> Env => _env;

    /// <summary>The daemon client for the resolved host (flag, then environment, then default).</summary>
    /// <exception cref="Parsing.UsageException">The host given is not a unix socket address.</exception>
    public DaemonClient Daemon => _daemon ??= new DaemonClient(DaemonHost.Resolve(_hostFlag, _env));

    /// <summary>Prints <c>Error: message</c> on stderr.</summary>
    public void Error(string message) => Err.WriteLine("Error: " + message);

    public void Dispose() => _daemon?.Dispose();
}
