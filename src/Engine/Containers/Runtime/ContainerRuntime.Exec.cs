using System.Diagnostics;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>A process to run in a running container (`exec`), without a terminal.</summary>
/// <param name="Env">"NAME=VALUE" entries replacing the container's variables of the same name.</param>
/// <param name="WorkingDir">Absolute; null for the container's.</param>
/// <param name="User">Already resolved against the rootfs, with exactly the groups the process gets; null for the
/// container's user and groups.</param>
public sealed record ExecRequest(IReadOnlyList<string> Args, bool Stdin, IReadOnlyList<string> Env, string? WorkingDir, ProcessUser? User);

/// <summary>A running `runc exec`: the process's stdio are pipes, and runc exits with the process's exit code.</summary>
public sealed class ExecProcess : IDisposable
{
    private readonly Process _runc;

    private readonly HeadRecorder _errors;

    /// <summary>The process.json runc was given; deleted once runc has exited.</summary>
    private readonly string _processFile;

    internal ExecProcess(Process runc, bool stdin, string processFile)
    {
        _runc = runc;
        _processFile = processFile;
        _errors = new HeadRecorder(runc.StandardError.BaseStream);
        Input = stdin ? runc.StandardInput.BaseStream : null;
        if (!stdin) runc.StandardInput.Dispose();
        Exited = WaitAsync();
    }

    public Stream Output => _runc.StandardOutput.BaseStream;
    /// <summary>stderr. runc's own error, when it could not run the command, comes here too.</summary>
    public Stream Errors => _errors;
    /// <summary>The process's stdin; null when it was not asked for.</summary>
    public Stream? Input { get; }
    public Task<int> Exited { get; }

    /// <summary>The process's exit code; when runc could not start it (runc exits 255 and says why on stderr), the
    /// docker CLI's 127 (not found) or 126 (cannot be executed).</summary>
    private async Task<int> WaitAsync()
    {
        await _runc.WaitForExitAsync(CancellationToken.None);
        DeleteProcessFile();
        int code = _runc.ExitCode;
        // Whoever reads stderr may not have read runc's last words yet.
        if (code == 255) await Task.WhenAny(_errors.Drained, Task.Delay(TimeSpan.FromSeconds(2)));
        if (code == 255 && _errors.Head.Contains("exec failed:", StringComparison.Ordinal)) return RuntimeErrors.ExitCodeFor(_errors.Head);
        return code;
    }

    /// <summary>Passes reads through and keeps the first bytes, where runc's error would be.</summary>
    private sealed class HeadRecorder(Stream inner) : Common.ReadOnlyStream
    {
        private readonly System.Text.StringBuilder _head = new();
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string Head { get { lock (_head) return _head.ToString(); } }
        /// <summary>Completes when a read saw the end of the stream.</summary>
        public Task Drained => _drained.Task;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n = await inner.ReadAsync(buffer, ct);
            if (n == 0) _drained.TrySetResult();
            lock (_head) if (_head.Length < 4096 && n > 0) _head.Append(System.Text.Encoding.UTF8.GetString(buffer.Span[..n]));
            return n;
        }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }

    private void DeleteProcessFile()
    {
        try { File.Delete(_processFile); } catch (IOException) { }
    }

    private int _disposed;

    /// <summary>Kills the exec'd process (runc's child, so the process tree takes it) if it still runs, and closes
    /// every pipe. Idempotent: a client that went away and the end of the request may both dispose.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try { if (!_runc.HasExited) _runc.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { Input?.Dispose(); } catch (IOException) { } // a flush into a pipe whose reader died
        _runc.StandardOutput.Dispose();
        _runc.StandardError.Dispose();
        // The Process itself once WaitAsync has read its exit code (a disposed Process has none).
        Exited.ContinueWith(_ => _runc.Dispose(), TaskScheduler.Default);
    }
}

public sealed partial class ContainerRuntime
{
    /// <summary>
    /// Starts <paramref name="request"/> in the running container <paramref name="id"/> with `runc exec --process`,
    /// which stays in the foreground and exits with the process's code. The process is the container's own
    /// (<paramref name="bundleDir"/>'s config.json) with the request applied (<see cref="ExecProcessSpec"/>).
    /// No terminal: runc takes a console socket only when it detaches (runc utils_linux.go checkTerminal), and a
    /// detached exec's exit code is lost to us; a terminal exec needs a monitor as conmon's --exec, which is not done yet.
    /// </summary>
    public async Task<ExecProcess> ExecAsync(string id, string bundleDir, ExecRequest request, CancellationToken ct)
    {
        string json = ExecProcessSpec.Build(await File.ReadAllTextAsync(Path.Combine(bundleDir, "config.json"), ct), request);
        // Under the exec root (tmpfs, root only), beside the container's monitor files; gone with the container.
        Directory.CreateDirectory(MonitorDirOf(id));
        string processFile = Path.Combine(MonitorDirOf(id), $"exec-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(processFile, json, ct);
        var psi = new ProcessStartInfo(options.RuntimePath)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--root", options.RuncRoot, "exec", "--process", processFile, id }) psi.ArgumentList.Add(a);
        await _spawnGate.WaitAsync(ct); // so runc never inherits a conmon sync pipe (see _spawnGate)
        try { return new ExecProcess(Process.Start(psi)!, request.Stdin, processFile); }
        catch
        {
            File.Delete(processFile);
            throw;
        }
        finally { _spawnGate.Release(); }
    }
}
