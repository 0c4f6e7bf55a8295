namespace MyDocker.Web.Hosting;

/// <summary>
/// mydockerd's Docker-like flags: --data-root DIR, --exec-root DIR, -H/--host unix:///PATH. They override
/// appsettings.json ("MyDocker" section) and MYDOCKER_* environment variables.
/// </summary>
public sealed record DaemonArguments(string? DataRoot, string? ExecRoot, string? Host)
{
    public static DaemonArguments Parse(string[] args)
    {
        string? dataRoot = null, execRoot = null, host = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? inline = null;
            int eq = a.IndexOf('=');
            if (a.StartsWith("--") && eq > 0) { inline = a[(eq + 1)..]; a = a[..eq]; }
            string Value() => inline ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"flag {a} needs a value"));
            switch (a)
            {
                case "--data-root": dataRoot = Value(); break;
                case "--exec-root": execRoot = Value(); break;
                case "-H" or "--host": host = Value(); break;
                case "-h" or "--help": throw new HelpRequestedException();
                default:
                    throw new ArgumentException(a.StartsWith('-')
                        ? $"unknown flag {a}; see 'mydockerd --help'"
                        : $"unexpected argument '{a}': mydockerd takes only flags; see 'mydockerd --help'");
            }
        }
        if (host is not null && !host.StartsWith("unix://"))
            throw new ArgumentException($"-H {host}: only unix:///PATH sockets are supported, e.g. -H unix:///run/mydocker/mydocker.sock");
        if (dataRoot is not null && !Path.IsPathRooted(dataRoot)) throw new ArgumentException($"--data-root {dataRoot} must be an absolute path");
        if (execRoot is not null && !Path.IsPathRooted(execRoot)) throw new ArgumentException($"--exec-root {execRoot} must be an absolute path");
        return new DaemonArguments(dataRoot, execRoot, host);
    }

    public const string Usage = """
        Usage: mydockerd [OPTIONS]

        The MyDocker daemon: engine, Docker-compatible API on a unix socket.

        Options:
          --data-root DIR     persistent state (default /var/lib/mydocker)
          --exec-root DIR     runtime state (default /run/mydocker)
          -H, --host SOCKET   API socket, unix:///PATH (default unix:///run/mydocker/mydocker.sock)
          -h, --help          show this help
        """;
}

public sealed class HelpRequestedException : Exception;
