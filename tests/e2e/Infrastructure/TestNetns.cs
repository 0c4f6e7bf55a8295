using System.Diagnostics;
using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// A throw-away network namespace with a unique name (parallel runs never collide), deleted on dispose even
/// when the test failed. Tests change kernel state only inside namespaces like this one, never on the host.
/// </summary>
public sealed class TestNetns : IDisposable
{
    public string Name { get; }
    public string Path => "/run/netns/" + Name;

    public TestNetns(string purpose = "t")
    {
        Name = $"mdt-{purpose}-{Guid.NewGuid():N}"[..Math.Min(40, 9 + purpose.Length + 12)];
        Ip("netns", "add", Name);
        Exec("ip", "link", "set", "lo", "up");
    }

    /// <summary>Runs <paramref name="work"/> on a thread inside this namespace (see <see cref="NetnsThread"/>).</summary>
    public T Run<T>(Func<T> work) => NetnsThread.Run(Path, work);

    /// <summary>Runs a program inside the namespace (argument list, no shell) and returns its stdout; throws on a non-zero exit.</summary>
    public string Exec(string program, params string[] args) =>
        Command.Run("ip", ["netns", "exec", Name, program, .. args]);

    /// <summary>Like <see cref="Exec"/> but returns the exit code and output instead of throwing.</summary>
    public (int ExitCode, string Stdout, string Stderr) TryExec(string program, params string[] args) =>
        Command.TryRun("ip", ["netns", "exec", Name, program, .. args]);

    private static void Ip(params string[] args) => Command.Run("ip", args);

    public void Dispose()
    {
        // Deleting the namespace destroys the bridges and veths inside it and the nftables tables with it.
        Command.TryRun("ip", ["netns", "delete", Name]);
    }
}

/// <summary>Runs programs with an argument list (never a string split on spaces).</summary>
public static class Command
{
    public static string Run(string program, IEnumerable<string> args)
    {
        var (code, stdout, stderr) = TryRun(program, args);
        if (code != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout;
    }

    /// <param name="stdin">Written to the program's stdin, which is then closed; null leaves stdin as it is.</param>
    public static (int ExitCode, string Stdout, string Stderr) TryRun(
        string program, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        // Process.Dispose does not close the redirected pipes (the caller might still read them); without these
        // usings every call leaks two pipe fds until a GC, and the test host passed 1,024 fds — where libnftables'
        // select() aborts the process ("bit out of range 0 - FD_SETSIZE on fd_set").
        using var stdoutReader = p.StandardOutput;
        using var stderrReader = p.StandardError;
        var stdout = stdoutReader.ReadToEndAsync();
        var stderr = stderrReader.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
