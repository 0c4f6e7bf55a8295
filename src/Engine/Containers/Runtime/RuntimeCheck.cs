using System.Diagnostics;
using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>What the start-up check found about the OCI runtime.</summary>
/// <param name="Version">Null when `--version` gave nothing readable (then <see cref="Problem"/> says why).</param>
/// <param name="Unfixed">Known runc vulnerabilities this runtime is not fixed for; empty for another runtime.</param>
public sealed record RuntimeCheckResult(string RuntimePath, RuntimeVersion? Version, string? Problem, IReadOnlyList<RuntimeAdvisory> Unfixed)
{
    public bool Healthy => Problem is null && Unfixed.Count == 0;

    /// <summary>One paragraph for the log and the doctor.</summary>
    public string Describe() => Problem ?? (Unfixed.Count == 0
        ? $"{RuntimePath} is {Version!.Name} {Version}{Package}; no known unfixed vulnerability"
        : $"{RuntimePath} is {Version!.Name} {Version}{Package}, which is not fixed for " +
          string.Join("; ", Unfixed.Select(a => $"{a.Cve} ({a.What})")) +
          ". These races happen while runc sets a container up, before its seccomp filter is loaded, and what contains them (runc's " +
          "advisories: a user namespace not mapping host root) the engine does not use");

    /// <summary>What to do about it.</summary>
    public string Fix => Problem is not null
        ? "Check MyDocker:RuntimePath in appsettings.json; it must name runc (or crun)"
        : $"Install runc {string.Join(", ", Remedies)} or later (Debian 12 ships 1.1.5; upstream " +
          "releases are static binaries) and point MyDocker:RuntimePath at it, or a distribution package whose changelog lists these CVEs";

    /// <summary>The listed fixed releases that fix every unfixed advisory (1.1.12 fixes CVE-2024-21626 only).</summary>
    private IEnumerable<string> Remedies => Unfixed.SelectMany(a => a.FixedIn).Distinct()
        .Where(f => Unfixed.All(a => a.IsFixedIn(RuntimeVersion.Of(f)!)));

    /// <summary>A distribution build reports its package version as the commit ("1.1.5+ds1-1+deb12u1"); upstream a
    /// git description ("v1.3.3-0-g...") that says nothing more.</summary>
    private string Package => Version?.Commit is { } c && c != Version.Text && c.StartsWith(Version.Text, StringComparison.Ordinal) ? $" (package {c})" : "";
}

/// <summary>
/// Reads the OCI runtime's version once (at start-up) and compares it with <see cref="RuntimeAdvisories"/>. It warns,
/// loudly, and does not refuse to start: runc 1.1.5 is all Debian 12 ships. Thread-safe; the result is cached.
/// </summary>
public sealed class RuntimeCheck(RuntimeOptions options, ILogger<RuntimeCheck> logger)
{
    private readonly Lazy<Task<RuntimeCheckResult>> _result = new(() => RunAsync(options, logger));

    /// <summary>The check's result; the first call runs it and logs what it found.</summary>
    public Task<RuntimeCheckResult> CheckAsync() => _result.Value;

    private static async Task<RuntimeCheckResult> RunAsync(RuntimeOptions options, ILogger logger)
    {
        var result = await ReadAsync(options.RuntimePath);
        if (result.Healthy) logger.LogInformation("OCI runtime: {Runtime}", result.Describe());
        else logger.LogWarning("OCI RUNTIME WARNING: {Problem}. {Fix}. (Shown by 'mydocker system doctor'.)", result.Describe(), result.Fix);
        return result;
    }

    private static async Task<RuntimeCheckResult> ReadAsync(string runtimePath)
    {
        string output;
        try { output = await VersionOutputAsync(runtimePath); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return new(runtimePath, null, $"the OCI runtime {runtimePath} did not tell its version ({e.Message})", []);
        }
        if (RuntimeVersion.Parse(output) is not { } version)
        {
            string first = output.Split('\n')[0].Trim();
            return new(runtimePath, null,
                $"the OCI runtime {runtimePath} answered '{(first.Length > 80 ? first[..80] + "..." : first)}' to --version, which names no version", []);
        }
        if (version.Name != "runc") return new(runtimePath, version, null, []); // the advisories are runc's own
        return new(runtimePath, version, null, RuntimeAdvisories.Unfixed(version, Changelog(version.Name)));
    }

    private static async Task<string> VersionOutputAsync(string runtimePath)
    {
        var psi = new ProcessStartInfo(runtimePath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--version");
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("no answer within 10 s");
        }
        await stderr;
        return await stdout;
    }

    /// <summary>The Debian changelog of the package of that name, if one is installed (read by the daemon from the
    /// host's /usr/share/doc, which only root and the package manager write).</summary>
    private static string? Changelog(string package)
    {
        string path = $"/usr/share/doc/{package}/changelog.Debian.gz";
        if (!File.Exists(path)) return null;
        try
        {
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            // Enough for every entry back to the first release that could carry a fix; a bound all the same.
            var buffer = new char[512 * 1024];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            return new string(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or InvalidDataException) { return null; }
    }
}
