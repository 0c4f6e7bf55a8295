using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// A real mydockerd in its own throw-away network namespace with a temporary data root and exec root. It is started
/// with nsenter --net (not ip netns exec), so only the network namespace changes. Dispose stops it and deletes the
/// namespace (and with it every bridge and nftables table the daemon made) and the temporary directories.
/// </summary>
public sealed class DaemonUnderTest : IDisposable
{
    private Process? _process;
    private readonly List<string> _logs = new();

    public TestNetns Netns { get; }
    public string Root { get; }
    public string DataRoot => Path.Combine(Root, "data");
    public string ExecRoot => Path.Combine(Root, "exec");
    /// <summary>The API socket; in the exec root unless a test puts it elsewhere before starting.</summary>
    public string Socket { get; set; }
    public string HostArg => "unix://" + Socket;
    /// <summary>Unique per daemon, so its containers' cgroups never mix with another run's or the host daemon's: configured
    /// (MyDocker:CgroupParent), or the daemon's own default for its data root when started with
    /// <c>defaultCgroupParent</c>.</summary>
    public string CgroupParent => _defaultCgroupParent ? MyDocker.Engine.EngineOptions.DefaultCgroupParent(DataRoot) : _cgroupParent;
    private readonly string _cgroupParent = "mydocker-e2e-" + Guid.NewGuid().ToString("N")[..12];
    private readonly bool _defaultCgroupParent;

    /// <summary>The daemon's pid (nsenter without --fork execs it, so the started process is the daemon).</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("daemon not started");

    /// <summary>Flags added to every start (e.g. --dashboard-port N).</summary>
    public List<string> ExtraArgs { get; } = [];
    /// <summary>Environment variables added to every start (e.g. log levels while chasing a bug).</summary>
    public Dictionary<string, string> ExtraEnv { get; } = [];
    /// <summary>The umask the daemon starts with (octal, e.g. "000"); null keeps the test process's.</summary>
    public string? Umask { get; set; }

    public DaemonUnderTest(string purpose = "d", bool start = true, bool defaultCgroupParent = false)
    {
        _defaultCgroupParent = defaultCgroupParent;
        Netns = new TestNetns(purpose);
        Root = Directory.CreateTempSubdirectory("mydocker-e2e-").FullName;
        Socket = Path.Combine(Root, "exec", "mydocker.sock");
        if (start) Start();
    }

    /// <summary>Starts the daemon and waits until /_ping answers. <paramref name="crashAt"/> arms a CrashPoint.</summary>
    public void Start(string? crashAt = null, bool waitReady = true)
    {
        if (_process is { HasExited: false }) throw new InvalidOperationException("daemon already running");
        var psi = new ProcessStartInfo(Umask is null ? "nsenter" : "sh")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // A fixed script; the umask and the command are its arguments, never spliced into it.
        if (Umask is not null) foreach (var a in new[] { "-c", "umask \"$0\" && exec nsenter \"$@\"", Umask }) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "--net=" + Netns.Path, Artifacts.Daemon, "--data-root", DataRoot, "--exec-root", ExecRoot, "-H", HostArg })
            psi.ArgumentList.Add(a);
        foreach (var a in ExtraArgs) psi.ArgumentList.Add(a);
        foreach (var (k, v) in ExtraEnv) psi.Environment[k] = v;
        if (crashAt is not null) psi.Environment["MYDOCKER_TEST_CRASH_AT"] = crashAt;
        if (!_defaultCgroupParent) psi.Environment["MYDOCKER_MyDocker__CgroupParent"] = CgroupParent;
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_logs) _logs.Add(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_logs) _logs.Add("ERR " + e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        if (waitReady) WaitReady();
    }

    public void WaitReady(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"mydockerd exited with {_process.ExitCode} during start-up:\n{Logs}");
            try
            {
                using var http = Http();
                if (http.GetAsync("/_ping").Result.IsSuccessStatusCode) return;
            }
            catch (Exception) { /* not listening yet */ }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"mydockerd did not answer /_ping within the timeout:\n{Logs}");
    }

    /// <summary>Waits for the daemon process to exit by itself (e.g. at an armed crash point); returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (_process is null) return 0;
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"mydockerd did not exit:\n{Logs}");
        // With a timeout WaitForExit does not wait for the redirected output to be read to its end; without one it does.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>A figure from /proc/PID/status in kB, e.g. "VmHWM" (peak resident set) or "VmRSS".</summary>
    public long StatusKb(string field) =>
        long.Parse(File.ReadLines($"/proc/{Pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    public void Kill()
    {
        if (_process is { HasExited: false }) { _process.Kill(); _process.WaitForExit(); }
    }

    /// <summary>SIGTERM and wait: a clean stop.</summary>
    public int Stop()
    {
        var p = _process;
        if (p is null) return 0;
        if (p.HasExited) return p.ExitCode;
        Command.Run("kill", ["-TERM", p.Id.ToString()]);
        if (!p.WaitForExit(TimeSpan.FromSeconds(20))) { p.Kill(); throw new TimeoutException($"mydockerd ignored SIGTERM:\n{Logs}"); }
        return p.ExitCode;
    }

    public void Restart(string? crashAt = null) { Stop(); Start(crashAt); }

    /// <summary>All lines the daemon printed that start with <paramref name="prefix"/>.</summary>
    public List<string> LogLines(string prefix) { lock (_logs) return _logs.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList(); }

    /// <summary>All lines the daemon printed that contain <paramref name="text"/>.</summary>
    public List<string> LogLinesWith(string text) { lock (_logs) return _logs.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList(); }

    public string Logs { get { lock (_logs) return string.Join('\n', _logs.TakeLast(80)); } }

    /// <summary>Whether any line the daemon printed since it was first started contains <paramref name="text"/>.</summary>
    public bool Logged(string text) { lock (_logs) return _logs.Any(l => l.Contains(text, StringComparison.Ordinal)); }

    /// <summary>An HTTP client on the daemon's unix socket.</summary>
    public HttpClient Http()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                }
                catch
                {
                    // WaitReady polls every 50 ms while the daemon starts: an undisposed socket per failed attempt
                    // piled up past fd 1024 in the test host, where libnftables' select() aborts the process.
                    s.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Runs the mydocker CLI against this daemon.</summary>
    public CliResult Cli(params string[] args) => CliResult.From(Command.TryRun(Artifacts.Cli, ["-H", HostArg, .. args]));

    /// <summary>Runs the standard docker CLI against this daemon.</summary>
    public CliResult Docker(params string[] args) => CliResult.From(Command.TryRun(Artifacts.DockerCli, ["-H", HostArg, .. args],
        new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(Root, "docker-config") }));

    /// <summary>Runs `mydocker ARGS` and fails the test with the daemon's log if it does not succeed.</summary>
    public string CliOk(params string[] args)
    {
        var r = Cli(args);
        Assert.True(r.ExitCode == 0, $"mydocker {string.Join(' ', args)} exited {r.ExitCode}\nstdout: {r.Stdout}\nstderr: {r.Stderr}\ndaemon log:\n{Logs}");
        return r.Stdout;
    }

    public JsonElement InspectNetwork(string name)
    {
        using var doc = JsonDocument.Parse(CliOk("network", "inspect", name));
        return doc.RootElement[0].Clone();
    }

    /// <summary>
    /// Waits for something the daemon finishes in the background (a retired device's deletion) — a bounded wait for a
    /// state, not a timing assertion: the limit is far above the ~50 ms it takes.
    /// </summary>
    public void Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"still not true after 15 s: {what}\n{Logs}");
            Thread.Sleep(20);
        }
    }

    /// <summary>The bridge device of a network, read through the API on the unix socket (no CLI needed).</summary>
    public string InspectNetworkBridge(string name)
    {
        using var http = Http();
        using var doc = JsonDocument.Parse(http.GetStringAsync("/networks/" + name).Result);
        return doc.RootElement.GetProperty("Options").GetProperty("com.docker.network.bridge.name").GetString()!;
    }

    /// <summary>Names from `mydocker network ls --format json`, sorted.</summary>
    public List<string> NetworkNames()
    {
        using var doc = JsonDocument.Parse(CliOk("network", "ls", "--format", "json"));
        return doc.RootElement.EnumerateArray().Select(n => n.GetProperty("Name").GetString()!).Order(StringComparer.Ordinal).ToList();
    }

    public void Dispose()
    {
        try { Stop(); } catch (Exception) { Kill(); }
        Leftovers.RemoveContainers(Root, Path.Combine(ExecRoot, "runc"), CgroupParent);
        Netns.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public static CliResult From((int ExitCode, string Stdout, string Stderr) r) => new(r.ExitCode, r.Stdout, r.Stderr);
}
