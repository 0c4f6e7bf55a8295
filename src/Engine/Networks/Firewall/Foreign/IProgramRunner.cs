using System.ComponentModel;
using System.Diagnostics;
using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>Runs a program with an argument list and waits for it (the iptables calls of <see cref="ForeignFirewall"/>).</summary>
public interface IProgramRunner
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="stdin"/> as its whole input (none: an empty one);
    /// throws <see cref="ProgramNotFoundException"/> when it is not installed.</summary>
    ProgramResult Run(string program, IReadOnlyList<string> args, string? stdin = null);
}

public readonly record struct ProgramResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The program does not exist on this machine.</summary>
public sealed class ProgramNotFoundException(string program, Exception inner)
    : Exception($"'{program}' is not installed or not on PATH", inner)
{
    public string Program { get; } = program;
}

/// <summary>
/// Starts real processes. Arguments go through <see cref="ProcessStartInfo.ArgumentList"/> (no shell, no splitting).
/// With <paramref name="netnsPath"/> the program runs through <c>nsenter --net=PATH</c>, which switches only the
/// network namespace (unlike <c>ip netns exec</c>, which also makes a mount namespace); tests use this to point the
/// engine at a throw-away namespace (nsenter execs the program: the pid stays the same).
/// </summary>
/// <param name="children">Told each program's pid when it starts and when it has exited, so its nftables transactions
/// are known for the engine's own (<see cref="NftCommits"/>).</param>
public sealed class ProcessRunner(string? netnsPath = null, IChildProcesses? children = null) : IProgramRunner
{
    // A daemon started with a minimal PATH (no /usr/sbin) still finds iptables.
    private static readonly string[] SbinDirs = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

    public ProgramResult Run(string program, IReadOnlyList<string> args, string? stdin = null)
    {
        string resolved = Resolve(program);
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (netnsPath is null) psi.FileName = resolved;
        else
        {
            psi.FileName = Resolve("nsenter");
            psi.ArgumentList.Add("--net=" + netnsPath);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(resolved);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        // iptables needs no locale-dependent output; keep its messages in English for the error texts we pass on.
        psi.Environment["LC_ALL"] = "C";

        Process p;
        try { p = Process.Start(psi)!; }
        catch (Win32Exception e) { throw new ProgramNotFoundException(program, e); }
        // Before any input is written: the program cannot commit anything until it has read it.
        children?.Started(p.Id);
        using (p)
        {
            try
            {
                // Process.Dispose does not close redirected pipes; these usings keep the daemon from leaking two fds per
                // call (libnftables' select() aborts the process once an fd number passes 1023; see LibNftables).
                using var stdoutReader = p.StandardOutput;
                using var stderrReader = p.StandardError;
                var stdout = stdoutReader.ReadToEndAsync();
                var stderr = stderrReader.ReadToEndAsync();
                try
                {
                    if (stdin is not null) p.StandardInput.Write(stdin);
                    p.StandardInput.Close();
                }
                catch (IOException) { /* it exited without reading it all: its exit code and stderr say why */ }
                p.WaitForExit();
                return new ProgramResult(p.ExitCode, stdout.Result, stderr.Result);
            }
            finally { children?.Exited(p.Id); }
        }
    }

    private static string Resolve(string program)
    {
        if (program.Contains('/')) return program;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SbinDirs))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        throw new ProgramNotFoundException(program, new FileNotFoundException(program));
    }
}
