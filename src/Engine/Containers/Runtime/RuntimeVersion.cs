using System.Globalization;
using System.Text.RegularExpressions;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// What `RUNTIME --version` says: runc prints "runc version 1.1.5+ds1", then "commit: ..." (a distribution build puts
/// its package version there: Debian 12's is "commit: 1.1.5+ds1-1+deb12u1"). Build metadata after '+' is not part of
/// the version (SemVer); a pre-release ("-rc.3") is.
/// </summary>
public sealed partial record RuntimeVersion(string Name, int Major, int Minor, int Patch, string? PreRelease, string Text, string? Commit)
    : IComparable<RuntimeVersion>
{
    /// <summary>Null when the first line is not "NAME version X.Y.Z...".</summary>
    public static RuntimeVersion? Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || FirstLine().Match(lines[0]) is not { Success: true } m) return null;
        if (Of(m.Groups["v"].Value) is not { } v) return null;
        string? commit = lines.Skip(1).FirstOrDefault(l => l.StartsWith("commit:", StringComparison.Ordinal))?["commit:".Length..].Trim();
        return v with { Name = m.Groups["name"].Value, Commit = string.IsNullOrEmpty(commit) ? null : commit };
    }

    /// <summary>"1.2.8", "1.4.0-rc.3", "1.1.5+ds1"; null if it is not one.</summary>
    public static RuntimeVersion? Of(string text)
    {
        if (SemVer().Match(text) is not { Success: true } m) return null;
        static int N(Group g) => int.TryParse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;
        int major = N(m.Groups["major"]), minor = N(m.Groups["minor"]), patch = N(m.Groups["patch"]);
        if (major < 0 || minor < 0 || patch < 0) return null;
        return new RuntimeVersion("", major, minor, patch, m.Groups["pre"].Success ? m.Groups["pre"].Value : null, text, null);
    }

    public bool SameBranch(RuntimeVersion other) => Major == other.Major && Minor == other.Minor;

    /// <summary>SemVer precedence: numbers, then a pre-release sorts before its release, identifiers compared in turn
    /// (numeric ones as numbers).</summary>
    public int CompareTo(RuntimeVersion? other)
    {
        if (other is null) return 1;
        int c = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (c != 0) return c;
        if (PreRelease == other.PreRelease) return 0;
        if (PreRelease is null) return 1;
        if (other.PreRelease is null) return -1;
        var a = PreRelease.Split('.');
        var b = other.PreRelease.Split('.');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            bool na = int.TryParse(a[i], out int x), nb = int.TryParse(b[i], out int y);
            c = na && nb ? x.CompareTo(y) : na ? -1 : nb ? 1 : string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"^(?<name>[A-Za-z][\w-]*) version (?<v>\S+)")]
    private static partial Regex FirstLine();

    [GeneratedRegex(@"^v?(?<major>\d{1,6})\.(?<minor>\d{1,6})\.(?<patch>\d{1,6})(?:-(?<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}

/// <summary>A runc vulnerability and the first fixed release of each maintained branch.</summary>
public sealed record RuntimeAdvisory(string Cve, string What, IReadOnlyList<string> FixedIn)
{
    /// <summary>
    /// Fixed if <paramref name="v"/> is at least the fix of its own branch, or newer than every listed branch; a branch
    /// older than all of them, or one between them that is not listed (end of life), did not get the fix.
    /// </summary>
    public bool IsFixedIn(RuntimeVersion v)
    {
        var fixes = FixedIn.Select(f => RuntimeVersion.Of(f)!).ToList();
        if (fixes.FirstOrDefault(v.SameBranch) is { } own) return v.CompareTo(own) >= 0;
        return fixes.All(f => (v.Major, v.Minor).CompareTo((f.Major, f.Minor)) > 0);
    }
}

/// <summary>
/// The runc vulnerabilities the engine checks for at start-up, and how a distribution's
/// backport is credited.
/// </summary>
public static class RuntimeAdvisories
{
    /// <summary>Fixed versions from the runc security advisories (GHSA-xr7r-f8xq-vfvv for CVE-2024-21626; the November
    /// 2025 advisories, fixed in 1.2.8, 1.3.3 and 1.4.0-rc.3, for the other three). 1.1.x got none of the 2025 fixes.</summary>
    public static readonly IReadOnlyList<RuntimeAdvisory> Runc =
    [
        new("CVE-2024-21626", "a leaked host directory descriptor lets a container's process reach the host file system", ["1.1.12"]),
        new("CVE-2025-31133", "a race on the /dev/null of masked paths lets a container write to host files", ["1.2.8", "1.3.3", "1.4.0-rc.3"]),
        new("CVE-2025-52565", "a race on the /dev/console bind mount lets a container write to host files", ["1.2.8", "1.3.3", "1.4.0-rc.3"]),
        new("CVE-2025-52881", "redirected /proc writes let a container write to host files and bypass LSMs", ["1.2.8", "1.3.3", "1.4.0-rc.3"]),
    ];

    /// <summary>
    /// The advisories <paramref name="v"/> is not fixed for. A distribution backports fixes without changing the
    /// upstream version (Debian 12's runc says 1.1.5 and carries the CVE-2024-21626 fix as 1.1.5+ds1-1+deb12u1), so a
    /// CVE is also counted as fixed when the package's own changelog names it — but only a changelog whose newest entry
    /// is exactly the package version the binary reports on its "commit:" line, so neither a runc installed by hand
    /// next to the package nor a "+debNuM" suffix alone (deb12u1 has one fix, not all) is credited with it.
    /// </summary>
    /// <param name="changelog">The package's changelog text (Debian: /usr/share/doc/runc/changelog.Debian.gz), or null.</param>
    public static IReadOnlyList<RuntimeAdvisory> Unfixed(RuntimeVersion v, string? changelog)
    {
        var backported = PackageChangelogFor(v, changelog);
        return Runc.Where(a => !a.IsFixedIn(v) && !(backported?.Contains(a.Cve, StringComparison.Ordinal) ?? false)).ToList();
    }

    /// <summary>The changelog if its first entry, "runc (VERSION) suite; urgency=...", is the binary's package version.</summary>
    private static string? PackageChangelogFor(RuntimeVersion v, string? changelog)
    {
        if (v.Commit is null || changelog is null) return null;
        string first = changelog.Split('\n', 2)[0];
        int open = first.IndexOf('('), close = first.IndexOf(')');
        return open > 0 && close > open && first[(open + 1)..close] == v.Commit && first[..open].Trim() == v.Name ? changelog : null;
    }
}
