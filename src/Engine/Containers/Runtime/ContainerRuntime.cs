using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Runs containers from OCI bundles with runc, each under its own conmon, which holds the container's stdio, writes
/// its output to a k8s-file log, records its exit code in <see cref="RuntimeOptions.ExitDir"/> and outlives the
/// daemon. Nothing here is held in memory: every answer comes from runc's state, conmon's files and the kernel, so a
/// new instance (after a daemon restart) sees exactly what the old one left running.
/// Thread-safe; one instance per daemon (singleton). Disposing it leaves every container and monitor running.
/// </summary>
public sealed partial class ContainerRuntime(RuntimeOptions options, ILogger<ContainerRuntime> logger) : IOciRuntime, IDisposable
{
    /// <summary>How long runc create may take before the start is abandoned (a loaded host can be slow).</summary>
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Held while a sync pipe's write end is open in this process: every child started meanwhile would inherit it
    /// (it is not close-on-exec, by necessity), and a second conmon holding the first one's pipe is a leak.
    /// </summary>
    private readonly SemaphoreSlim _spawnGate = new(1, 1);

    public RuntimeOptions Options => options;

    /// <summary>The cgroups path runc gets for this container (relative to each hierarchy's root).</summary>
    public string CgroupPath(string id) => $"{options.CgroupParent}/{id}";

    /// <summary>
    /// Creates the container (runc create under a new conmon) without starting its process, and returns the pid of
    /// the container's init process. On failure everything the attempt left (runc state, monitor, exit file, cgroup
    /// directories) is removed and a <see cref="ContainerStartException"/> explains why in plain words.
    /// A stale exit record of an earlier run under the same id is cleared first (restart).
    /// </summary>
    public async Task<int> CreateAsync(string id, string bundleDir, string logPath, StdioOptions stdio, CancellationToken ct)
    {
        foreach (var dir in new[] { options.RuncRoot, options.ExitDir, options.SocketDir, MonitorDirOf(id) })
            Directory.CreateDirectory(dir, Common.PrivateDirectory.Mode);
        ClearExit(id);
        var args = new List<string>
        {
            "--api-version", "1", "-c", id, "-u", id, "-n", id, "-r", options.RuntimePath,
            "-b", bundleDir, "-p", Path.Combine(bundleDir, "pidfile"), "-P", MonitorPidFile(id),
            "-l", "k8s-file:" + logPath, "--exit-dir", options.ExitDir, "--socket-dir-path", options.SocketDir,
            "--persist-dir", MonitorDirOf(id),
            "--runtime-arg", "--root", "--runtime-arg", options.RuncRoot,
        };
        if (stdio.LogSizeMax is { } logSizeMax)
        {
            args.AddRange(["--log-size-max", logSizeMax.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            StartAfreshIfFull(logPath, logSizeMax);
        }
        if (stdio.Terminal) args.Add("-t");
        if (stdio.Stdin) args.Add("-i");
        if (stdio.Stdin && stdio.KeepStdinOpen) args.Add("--leave-stdin-open");

        int read;
        await _spawnGate.WaitAsync(ct);
        try
        {
            (read, var write) = Libc.PipeWithInheritableWriteEnd();
            try
            {
                var env = new[] { "_OCI_SYNCPIPE=" + write, "PATH=" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin") };
                var parent = Libc.SpawnDetached(options.ConmonPath, args, env);
                // conmon's first process double-forks and exits within milliseconds; the monitor lives on detached.
                await Task.Run(() => Libc.WaitForExit(parent), CancellationToken.None);
            }
            catch
            {
                Libc.Close(read);
                throw;
            }
            finally { Libc.Close(write); }
        }
        finally { _spawnGate.Release(); }

        var (pid, message) = await ReadSyncMessageAsync(read, ct);
        if (pid > 0)
        {
            logger.LogDebug("Created container {Id} pid {Pid} monitor {Monitor}", id, pid, MonitorPid(id));
            return pid;
        }

        var reason = RuntimeErrors.Clean(message ?? "the monitor (conmon) exited without reporting a result");
        logger.LogWarning("Create of container {Id} failed: {Reason}", id, reason);
        await CleanUpAsync(id, CancellationToken.None);
        throw new ContainerStartException(id, reason, RuntimeErrors.ExitCodeFor(reason));
    }

    /// <summary>
    /// conmon 2.1.6 counts the log's size from 0 at each start (fixed in 2.1.10: "logging: Respect log-size-max
    /// immediately after open"), so every restart could add a full limit to the file. A log already at its limit is
    /// started afresh here the way conmon does it (a new file renamed over the old, so followers notice), which keeps
    /// the file under twice the limit.
    /// </summary>
    private static void StartAfreshIfFull(string logPath, long limit)
    {
        var log = new FileInfo(logPath);
        if (!log.Exists || log.Length < limit) return;
        var fresh = logPath + ".tmp";
        // Mode 0600, as conmon creates its log.
        using (new FileStream(fresh, new FileStreamOptions
               { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite })) { }
        File.Move(fresh, logPath, overwrite: true);
    }

    /// <summary>Reads conmon's one message on the sync pipe: {"data": pid} or {"data": -1, "message": "..."}.
    /// conmon keeps the pipe open afterwards, so the message ends at its newline, not at end of file.</summary>
    private static async Task<(int Pid, string? Message)> ReadSyncMessageAsync(int fd, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CreateTimeout);
        await using var pipe = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(fd, ownsHandle: true));
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        while (!bytes.Contains((byte)'\n'))
        {
            int n;
            try { n = await pipe.ReadAsync(buffer, timeout.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return (-1, $"the runtime did not create the container within {CreateTimeout.TotalSeconds:0} s");
            }
            if (n == 0) break;
            bytes.AddRange(buffer.AsSpan(0, n));
        }
        var text = Encoding.UTF8.GetString(bytes.ToArray()).Split('\n')[0];
        if (text.Length == 0) return (-1, null);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var data = doc.RootElement.GetProperty("data").GetInt32();
            var message = doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
            return (data, message);
        }
        catch (JsonException) { return (-1, "unexpected reply from conmon: " + text); }
    }

    /// <summary>
    /// Connects to conmon's attach socket of a created or running container: a SOCK_SEQPACKET socket whose packets from
    /// conmon are one byte naming the stream (2 stdout, 3 stderr; conmon's stdpipe_t) and then the bytes, and whose
    /// packets to conmon go to the container's stdin. conmon makes it as "attach" in the bundle, reached through the
    /// "SOCKETDIR/ID" symlink; the path is longer than sun_path allows, so it is opened O_PATH and connected through
    /// /proc/self/fd (as Podman does, libpod/oci_conmon_attach_linux.go).
    /// </summary>
    public System.Net.Sockets.Socket ConnectAttach(string id)
    {
        string path = Path.Combine(options.SocketDir, id, "attach");
        int fd = Libc.OpenPath(path);
        try
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Seqpacket, System.Net.Sockets.ProtocolType.Unspecified);
            try { socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint($"/proc/self/fd/{fd}")); }
            catch { socket.Dispose(); throw; }
            return socket;
        }
        finally { Libc.Close(fd); }
    }

    /// <summary>Resizes a terminal container's pty through conmon's control fifo ("1 HEIGHT WIDTH", conmon's ctl
    /// message 1). False when there is no monitor to tell (the container is not running).</summary>
    public bool Resize(string bundleDir, int height, int width)
    {
        string ctl = Path.Combine(bundleDir, "ctl");
        if (!File.Exists(ctl)) return false;
        int fd = Libc.OpenWriteNonBlocking(ctl);
        if (fd < 0) return false; // no reader: the monitor is gone
        try { return Libc.WriteAll(fd, Encoding.ASCII.GetBytes($"1 {height} {width}\n")); }
        finally { Libc.Close(fd); }
    }

    /// <summary>Starts the process of a created container.</summary>
    public async Task StartAsync(string id, CancellationToken ct)
    {
        var (code, _, stderr) = await RuncAsync(ct, "start", id);
        if (code != 0)
            throw new EngineException(ErrorKind.Internal, $"cannot start container {id}: {RuntimeErrors.Clean(stderr)}");
    }

    /// <summary>Sends a signal to the container's init process. A container that is stopped or gone is not an error.</summary>
    public async Task KillAsync(string id, int signal, CancellationToken ct)
    {
        var (code, _, stderr) = await RuncAsync(ct, "kill", id, signal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (code != 0 && !RuntimeErrors.IsNotFound(stderr) && !RuntimeErrors.IsNotRunning(stderr))
            throw new EngineException(ErrorKind.Internal, $"cannot signal container {id}: {RuntimeErrors.Clean(stderr)}");
    }

    /// <summary>
    /// Deletes the container, killing its processes first if it runs, waits for its monitor to finish writing the exit
    /// record, and removes its cgroup directories and attach socket. The exit record is kept (see <see cref="ClearExit"/>).
    /// Idempotent: a container runc does not know is already deleted.
    /// </summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        // Not `runc delete --force` on a live container: runc 1.1 sends SIGKILL and then sleeps 100 ms before it looks
        // again (libcontainer killContainer), which was most of `rm -f`. SIGKILL, watching the pid go (a few ms), then a
        // plain delete does the same work without the sleep; --force stays the fallback.
        if (await StateAsync(id, ct) is { IsRunning: true, Pid: > 0 } live)
        {
            await KillAsync(id, SIGKILL, ct);
            for (int i = 0; i < 500 && Libc.ProcessExists(live.Pid) && !IsZombie(live.Pid); i++) await Task.Delay(2, ct);
        }
        var (code, _, stderr) = await RuncAsync(ct, "delete", id);
        if (code != 0 && !RuntimeErrors.IsNotFound(stderr))
            (code, _, stderr) = await RuncAsync(ct, "delete", "--force", id);
        if (code != 0 && !RuntimeErrors.IsNotFound(stderr))
            throw new EngineException(ErrorKind.Internal, $"cannot delete container {id}: {RuntimeErrors.Clean(stderr)}");
        await WaitForMonitorAsync(id, ct);
        DeleteDirectory(Path.Combine(options.SocketDir, id));
        var left = await CgroupDirs.RemoveAsync(CgroupPath(id), ct);
        if (left.Count > 0)
            throw new EngineException(ErrorKind.Internal, $"container {id} deleted but its cgroups are busy: {string.Join(", ", left)}");
    }

    /// <summary>Whether runc has state for the container (any status), without running runc: its state directory.</summary>
    public bool HasState(string id) => Directory.Exists(Path.Combine(options.RuncRoot, id));

    /// <summary>runc's state of the container, or null when runc does not know it.</summary>
    public async Task<RuntimeState?> StateAsync(string id, CancellationToken ct)
    {
        var (code, stdout, stderr) = await RuncAsync(ct, "state", id);
        if (code != 0)
        {
            if (RuntimeErrors.IsNotFound(stderr)) return null;
            throw new EngineException(ErrorKind.Internal, $"cannot read the state of container {id}: {RuntimeErrors.Clean(stderr)}");
        }
        using var doc = JsonDocument.Parse(stdout);
        return ParseState(doc.RootElement);
    }

    /// <summary>The ids of every container runc knows (any status).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken ct)
    {
        var (code, stdout, stderr) = await RuncAsync(ct, "list", "--format", "json");
        if (code != 0)
            throw new EngineException(ErrorKind.Internal, $"cannot list containers: {RuntimeErrors.Clean(stderr)}");
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(stdout) ? "null" : stdout);
        return doc.RootElement.ValueKind == JsonValueKind.Array
            ? doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList()
            : [];
    }

    private static RuntimeState ParseState(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.GetProperty("status").GetString()!,
        e.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0,
        e.TryGetProperty("bundle", out var bundle) ? bundle.GetString() ?? "" : "",
        e.TryGetProperty("created", out var created) && created.TryGetDateTimeOffset(out var c) ? c : null);

    /// <summary>Runs runc with our --root; short-lived, so .NET pipes are fine here (no detached child inherits them).</summary>
    private async Task<(int Code, string Stdout, string Stderr)> RuncAsync(CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo(options.RuntimePath)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(options.RuncRoot);
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        // Under the gate, so runc never inherits a conmon sync pipe (see _spawnGate).
        await _spawnGate.WaitAsync(ct);
        try { process = Process.Start(psi)!; }
        finally { _spawnGate.Release(); }
        using var _ = process;
        using var stdin = process.StandardInput;
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        stdin.Close();
        var stdout = stdoutReader.ReadToEndAsync(CancellationToken.None);
        var stderr = stderrReader.ReadToEndAsync(CancellationToken.None);
        // Not cancelled half-way: a runc left running while we walk away would act after we think it failed.
        await process.WaitForExitAsync(CancellationToken.None);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _spawnGate.Dispose();
}
