namespace MyDocker.Web.Hosting;

/// <summary>
/// mydockerd's Docker-like flags: --data-root DIR, --exec-root DIR, -H/--host unix:///PATH. They override
/// appsettings.json ("MyDocker" section) and MYDOCKER_* environment variables. The dashboard's flags:
/// --dashboard-port N (loopback TCP port) and --no-dashboard.
/// </summary>
public sealed record DaemonArguments(string? DataRoot, string? ExecRoot, string? Host, int? DashboardPort = null, bool NoDashboard = false)
{
    public static DaemonArguments Parse(string[] args)
    {
        string? dataRoot = null, execRoot = null, host = null, dashboardPort = null;
        bool noDashboard = false;
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
                case "--dashboard-port": dashboardPort = Value(); break;
                case "--no-dashboard": noDashboard = true; break;
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
        int? port = null;
        if (dashboardPort is not null)
        {
            if (!int.TryParse(dashboardPort, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
                throw new ArgumentException($"--dashboard-port {dashboardPort}: give a TCP port number from 1 to 65535, e.g. --dashboard-port 7480");
            port = p;
        }
        if (noDashboard && port is not null)
            throw new ArgumentException("--dashboard-port and --no-dashboard contradict each other; give one of them");
        return new DaemonArguments(dataRoot, execRoot, host, port, noDashboard);
    }

    public const string Usage = """
        Usage: mydockerd [OPTIONS]

        The MyDocker daemon: engine, Docker-compatible API on a unix socket, dashboard on loopback.

        Options:
          --data-root DIR     persistent state (default /var/lib/mydocker)
          --exec-root DIR     runtime state (default /run/mydocker)
          -H, --host SOCKET   API socket, unix:///PATH (default unix:///run/mydocker/mydocker.sock)
          --dashboard-port N  dashboard port on 127.0.0.1 (default 7480, MyDocker:Dashboard:Port)
          --no-dashboard      do not serve the dashboard
          -h, --help          show this help
        """;
}

public sealed class HelpRequestedException : Exception;
