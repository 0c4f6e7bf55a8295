using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.Engine.Networks.Dns;

/// <summary>
/// The one mydocker-resolver of this engine: found through its pid file, or started detached (its own session, stdio on
/// a log file in the exec root) so that it outlives the daemon, as conmon does: names keep resolving while the daemon
/// restarts or after it is killed (the spike: 20,000 of 20,000 queries answered across a daemon SIGKILL). Its files are
/// in the exec root (tmpfs): the control socket, the pid file, the snapshot it answers from right after a respawn.
/// </summary>
public sealed class ResolverProcess(EngineOptions options, IRtNetlink netlink, ILogger<ResolverProcess> logger)
{
    /// <summary>/proc/PID/comm holds the first 15 bytes of the executable's name.</summary>
    private const string Comm = "mydocker-resolv";
    private const int LoopbackIndex = 1; // lo is ifindex 1 in every network namespace (net/core/dev.c, loopback_net_init)
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();

    public string ControlPath => Path.Combine(options.ExecRoot, "resolver.sock");
    public string PidFile => Path.Combine(options.ExecRoot, "resolver.pid");
    public string SnapshotPath => Path.Combine(options.ExecRoot, "resolver.snapshot");
    public string LogPath => Path.Combine(options.ExecRoot, "resolver.log");

    /// <summary>The pid of the running resolver of this exec root, or null. A pid file whose process is gone, or is
    /// another program (pids are reused), names none.</summary>
    public int? LivePid()
    {
        if (!File.Exists(PidFile)) return null;
        if (!int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) || pid <= 0) return null;
        try
        {
            // A zombie (our own child that exited and was not reaped yet) has an empty state for our purposes.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            if (state is 'Z' or 'X') return null;
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == Comm ? pid : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>Starts the resolver unless it runs; returns when its control socket accepts connections. True when it
    /// was started by this call.</summary>
    /// <exception cref="EngineException">The resolver cannot be found or did not come up (its log's last lines say why).</exception>
    public bool EnsureRunning()
    {
        lock (_gate)
        {
            if (LivePid() is not null) return false;
            var path = options.EffectiveResolverPath;
            if (!File.Exists(path))
                throw new EngineException(ErrorKind.Internal,
                    $"the name resolver {path} is missing; build it with scripts/build.sh or set MyDocker:ResolverPath");
            AddListenAddress();
            Directory.CreateDirectory(options.ExecRoot);
            File.Delete(PidFile);
            string[] args =
            [
                "--listen", ResolverAddress.Text, "--port", ResolverAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--control", ControlPath, "--snapshot", SnapshotPath, "--pid-file", PidFile, "--resolv-conf", options.ResolvConfPath,
            ];
            var pid = Libc.SpawnDetached(path, args, ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], outputPath: LogPath, newSession: true);
            // Our child until this daemon exits: reap it when it ends, or it stays a zombie that looks alive to kill(pid, 0).
            new Thread(() => Libc.WaitForExit(pid)) { IsBackground = true, Name = "resolver reaper" }.Start();
            WaitForControlSocket(pid);
            logger.LogInformation("Started the name resolver (pid {Pid}) on {Address}", pid, ResolverAddress.Text);
            return true;
        }
    }

    /// <summary>169.254.53.53/32 on lo; already there is fine (it stays across daemon restarts, as the resolver does).</summary>
    private void AddListenAddress()
    {
        try { netlink.AddAddress(LoopbackIndex, ResolverAddress.Value, 32); }
        catch (KernelExistsException) { }
    }

    private void WaitForControlSocket(int pid)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (File.Exists(ControlPath))
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    probe.Connect(new UnixDomainSocketEndPoint(ControlPath));
                    return;
                }
                catch (SocketException) { }
            }
            if (!Libc.ProcessExists(pid) || DateTime.UtcNow > deadline)
            {
                Libc.SendSignal(pid, 9);
                throw new EngineException(ErrorKind.Internal,
                    $"the name resolver did not start: {LastLines(LogPath, 5)} (its log: {LogPath})");
            }
            Thread.Sleep(5);
        }
    }

    private static string LastLines(string path, int count)
    {
        try { return string.Join(" | ", File.ReadLines(path).TakeLast(count)); }
        catch (IOException) { return "no log"; }
    }
}
