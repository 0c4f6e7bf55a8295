using System.Runtime.InteropServices;
using System.Text;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.Cli.Commands;

/// <summary><c>mydocker system reconcile</c>, <c>mydocker system doctor</c> and <c>mydocker version</c>.</summary>
public static class SystemCommands
{
    public static readonly CommandSpec Reconcile = new()
    {
        Name = "reconcile",
        Summary = "Compare the recorded state with the kernel and repair drift both ways",
        MaxArgs = 0,
        Run = ReconcileAsync,
    };

    public static readonly CommandSpec Doctor = new()
    {
        Name = "doctor",
        Summary = "Name anything outside MyDocker that blocks its networks' traffic (another tool's firewall) or endangers it (an unpatched OCI runtime)",
        MaxArgs = 0,
        Run = DoctorAsync,
    };

    public static readonly CommandGroup Group = new()
    {
        Name = "system",
        Summary = "Manage MyDocker",
        Commands = [Reconcile, Doctor],
    };

    public static readonly CommandSpec Version = new()
    {
        Name = "version",
        Summary = "Show the MyDocker version information",
        MaxArgs = 0,
        Run = VersionAsync,
    };

    private static async Task<int> ReconcileAsync(CommandContext context, ParsedArgs args)
    {
        var report = await context.Daemon.ReconcileAsync(context.Cancel).ConfigureAwait(false);
        context.Out.Write(FormatReconcile(report));
        // Failed steps make the command fail, so scripts notice; the others still ran.
        return report.Errors is { Count: > 0 } ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }

    /// <summary>One line per change (<c>repaired: ...</c>, <c>removed: ...</c>, <c>failed: ...</c>) and a summary line.</summary>
    public static string FormatReconcile(ReconcileReport report)
    {
        var repaired = report.Repaired ?? [];
        var removed = report.Removed ?? [];
        var errors = report.Errors ?? [];
        var sb = new StringBuilder();
        foreach (var line in repaired) sb.Append("repaired: ").Append(line).Append('\n');
        foreach (var line in removed) sb.Append("removed:  ").Append(line).Append('\n');
        foreach (var line in errors) sb.Append("failed:   ").Append(line).Append('\n');
        if (repaired.Count + removed.Count + errors.Count == 0)
            sb.Append("Nothing to reconcile: the kernel matches the recorded state.\n");
        else
            sb.Append($"{repaired.Count} repaired, {removed.Count} removed, {errors.Count} failed\n");
        return sb.ToString();
    }

    private static async Task<int> DoctorAsync(CommandContext context, ParsedArgs args)
    {
        var report = await context.Daemon.DoctorAsync(context.Cancel).ConfigureAwait(false);
        context.Out.Write(FormatDoctor(report));
        // 1 when something blocks our traffic now, so scripts and CI notice; warnings alone do not fail.
        return (report.Findings ?? []).Any(f => f.Severity == DoctorFinding.Error) ? CliApp.ExitDaemonError : CliApp.ExitOk;
    }

    /// <summary>Per finding: "SEVERITY: OBJECT", then the problem and the fix, indented; then a summary line.</summary>
    public static string FormatDoctor(DoctorReport report)
    {
        var findings = report.Findings ?? [];
        var sb = new StringBuilder();
        foreach (var f in findings)
        {
            sb.Append(f.Severity switch { DoctorFinding.Error => "error:   ", DoctorFinding.Warning => "warning: ", _ => "ok:      " })
              .Append(f.Object).Append('\n');
            sb.Append("  problem: ").Append(f.Problem).Append('\n');
            sb.Append("  fix:     ").Append(f.Fix).Append('\n');
        }
        int errors = findings.Count(f => f.Severity == DoctorFinding.Error);
        int warnings = findings.Count(f => f.Severity == DoctorFinding.Warning);
        if (errors == 0 && warnings == 0)
            sb.Append("Nothing outside MyDocker blocks its networks' traffic.\n");
        else
            sb.Append($"{errors} error(s), {warnings} warning(s).\n");
        return sb.ToString();
    }

    private static async Task<int> VersionAsync(CommandContext context, ParsedArgs args)
    {
        // The client half prints even when the daemon is down, like `docker version`.
        context.Out.Write(FormatClientVersion());
        VersionResponse server;
        try
        {
            server = await context.Daemon.VersionAsync(context.Cancel).ConfigureAwait(false);
        }
        catch (DaemonException)
        {
            context.Out.Flush();
            throw;
        }
        context.Out.Write(FormatServerVersion(server));
        return CliApp.ExitOk;
    }

    public static string FormatClientVersion()
    {
        var sb = new StringBuilder();
        sb.Append("Client:\n");
        Line(sb, "Version", CliApp.ClientVersion);
        Line(sb, "OS/Arch", "linux/" + GoArch(RuntimeInformation.OSArchitecture));
        return sb.ToString();
    }

    public static string FormatServerVersion(VersionResponse server)
    {
        var sb = new StringBuilder();
        sb.Append("\nServer: ").Append(string.IsNullOrEmpty(server.Platform?.Name) ? "MyDocker Engine" : server.Platform.Name).Append('\n');
        Line(sb, "Version", server.Version);
        Line(sb, "API version", string.IsNullOrEmpty(server.MinAPIVersion)
            ? server.ApiVersion
            : $"{server.ApiVersion} (minimum version {server.MinAPIVersion})");
        if (!string.IsNullOrEmpty(server.GitCommit)) Line(sb, "Git commit", server.GitCommit);
        if (!string.IsNullOrEmpty(server.BuildTime)) Line(sb, "Built", server.BuildTime);
        Line(sb, "OS/Arch", $"{server.Os}/{server.Arch}");
        if (!string.IsNullOrEmpty(server.KernelVersion)) Line(sb, "Kernel version", server.KernelVersion);
        if (server.Components is not null)
        {
            foreach (var component in server.Components)
            {
                if (component.Name is "Engine" or "") continue;
                sb.Append(' ').Append(component.Name).Append(":\n");
                sb.Append("  Version:").Append(' ', 10).Append(component.Version).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string label, string value) =>
        sb.Append(' ').Append(label).Append(':').Append(' ', Math.Max(1, 17 - label.Length)).Append(value).Append('\n');

    // Go's names, which docker and the daemon's /version use.
    private static string GoArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        _ => "unknown",
    };
}
