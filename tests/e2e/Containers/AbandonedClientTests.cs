using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// Clients that go away mid-stream leave nothing behind in the daemon: an exec whose client was killed ends (its
/// runc exec and pipes with it), an attach to a silent container stops following it, and an /events reader that stops
/// reading is disconnected once it falls too far behind instead of being buffered for ever.
/// </summary>
public sealed class AbandonedClientTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("abc").WithBusybox();

    public AbandonedClientTests() => _d.RunDetached("--name", "web", "busybox", "sleep", "1000");

    /// <summary>The daemon's open fds, without its SQLite files: the connection pool keeps as many connections as were
    /// ever in use at once, which a busier second round may raise by a few, and that is no client's leak.</summary>
    private int DaemonFds() => Directory.GetFiles($"/proc/{_d.Pid}/fd").Count(f => !IsDatabase(f));

    private static bool IsDatabase(string fd)
    {
        try { return new FileInfo(fd).LinkTarget is { } t && t.Contains("/mydocker.db", StringComparison.Ordinal); }
        catch (IOException) { return false; } // closed meanwhile
    }

    /// <summary>Waits for the daemon's fd count to come back to <paramref name="baseline"/> (+5); on failure says which
    /// kinds of fd stayed, so a leak names itself.</summary>
    private void FdsBackNear(int baseline)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DaemonFds() > baseline + 5)
        {
            if (DateTime.UtcNow > deadline)
            {
                var kinds = Directory.GetFiles($"/proc/{_d.Pid}/fd")
                    .Select(f => { try { return new FileInfo(f).LinkTarget ?? "?"; } catch (IOException) { return "gone"; } })
                    .Select(t => System.Text.RegularExpressions.Regex.Replace(t, "[0-9]+", "N"))
                    .GroupBy(t => t).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}");
                Assert.Fail($"the daemon's fds are {DaemonFds()}, not back near {baseline} after 15 s:\n{string.Join("\n", kinds)}\n{_d.Logs}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>The daemon's fd count once it has stopped changing (the same over 2 s), at most 20 s on.</summary>
    private int SettledFds()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int last = DaemonFds(), same = 0;
        while (same < 4 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(500);
            int now = DaemonFds();
            same = now == last ? same + 1 : 0;
            last = now;
        }
        return last;
    }

    /// <summary>Host processes whose command line is exactly <paramref name="argv"/>.</summary>
    private static int ProcessesRunning(params string[] argv)
    {
        string wanted = string.Join('\0', argv) + "\0";
        int n = 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try { if (File.ReadAllText(Path.Combine(dir, "cmdline")) == wanted) n++; }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return n;
    }

    private static Process Start(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private static void KillAll(List<Process> clients)
    {
        foreach (var p in clients)
        {
            p.Kill();
            p.WaitForExit();
            p.StandardInput.Dispose();
            p.StandardOutput.Dispose();
            p.StandardError.Dispose();
            p.Dispose();
        }
    }

    /// <summary>Starts <paramref name="clients"/> clients, waits until <paramref name="connected"/>, kills them all.</summary>
    private void AbandonRound(int clients, Func<Process> start, Func<bool> connected, string what)
    {
        var started = new List<Process>();
        try
        {
            for (int i = 0; i < clients; i++) started.Add(start());
            _d.Eventually(connected, what);
        }
        finally { KillAll(started); }
    }

    // Each test abandons clients twice and measures against the fds after the first round: concurrency grows pools
    // (SQLite connections, sockets) once, and those stay; what an abandoned client leaks grows with every round.

    private void WaitGone()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ProcessesRunning("sleep", "1001") > 0)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail("abandoned execs still run:\n" + Command.TryRun("bash", ["-c", "ps -eo pid,ppid,stat,args | grep -E 'sleep 1001|runc' | grep -v grep"]).Stdout + _d.Logs);
            Thread.Sleep(100);
        }
    }

    [Fact]
    public void Killed_exec_clients_leave_no_process_pipe_or_connection_in_the_daemon()
    {
        const int Clients = 50;
        Process Exec() => Start(Artifacts.Cli, "-H", _d.HostArg, "exec", "web", "sleep", "1001");
        bool AllRunning() => ProcessesRunning("sleep", "1001") == Clients;
        AbandonRound(Clients, Exec, AllRunning, $"{Clients} execs running");
        WaitGone();
        int baseline = SettledFds();

        AbandonRound(Clients, Exec, () => AllRunning() && DaemonFds() >= baseline + 2 * Clients, $"{Clients} execs running, each holding fds");
        WaitGone();
        FdsBackNear(baseline);
        Assert.Equal("ok\n", _d.CliOk("exec", "web", "echo", "ok"));
    }

    [Fact]
    public void Killed_attach_clients_to_a_silent_container_stop_being_followed()
    {
        const int Clients = 20;
        Process Attach() => Start(Artifacts.DockerCli, "-H", _d.HostArg, "attach", "--no-stdin", "web");
        int before = DaemonFds();
        AbandonRound(Clients, Attach, () => DaemonFds() >= before + Clients, $"{Clients} attaches connected");
        int baseline = SettledFds();

        AbandonRound(Clients, Attach, () => DaemonFds() >= baseline + Clients, $"{Clients} attaches connected");
        FdsBackNear(baseline);
    }

    [Fact]
    public async Task A_reader_that_falls_far_behind_on_events_is_disconnected()
    {
        using var reader = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await reader.ConnectAsync(new UnixDomainSocketEndPoint(_d.Socket));
        await reader.SendAsync("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());
        var received = new MemoryStream();
        var buffer = new byte[65536];
        async Task<bool> ReadSome()
        {
            int n;
            try { n = await reader.ReceiveAsync(buffer.AsMemory(0, 1024)); }
            catch (SocketException) { return false; } // reset: disconnected as well
            received.Write(buffer, 0, n);
            return n > 0;
        }
        await ReadSome(); // the headers

        // Events far beyond what the daemon queues for one subscriber (4,096), while this reader takes 1 KB now and
        // then: fast enough for Kestrel's minimum data rate (240 B/s), far too slow for the events.
        const int Events = 9_000;
        using var publishing = new CancellationTokenSource();
        var publish = Task.Run(async () =>
        {
            using var http = _d.Http();
            string body = """{"Cmd":["true"]}""";
            await Parallel.ForAsync(0, Events, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
            {
                var r = await http.PostAsync("/containers/web/exec", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                r.EnsureSuccessStatusCode();
            });
        });
        while (!publish.IsCompleted)
        {
            if (!await ReadSome()) break;
            await Task.Delay(250);
        }
        await publish;

        // Now read as fast as possible: the stream must end (the daemon let go of this reader) short of every event.
        var drain = Task.Run(async () => { while (await ReadSome()) { } });
        Assert.True(await Task.WhenAny(drain, Task.Delay(TimeSpan.FromSeconds(60))) == drain, "the events stream did not end");
        int events = Encoding.UTF8.GetString(received.ToArray()).Split("\"Action\":\"exec_create: true\"").Length - 1;
        Assert.InRange(events, 1, Events - 1);
    }

    public void Dispose() => _d.Dispose();
}
