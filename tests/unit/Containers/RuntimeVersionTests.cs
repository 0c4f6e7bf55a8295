using MyDocker.Engine.Containers.Runtime;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Containers;

/// <summary>The start-up check of the OCI runtime's version against runc's advisories.</summary>
public class RuntimeVersionTests
{
    private static readonly string[] The2025Cves = ["CVE-2025-31133", "CVE-2025-52565", "CVE-2025-52881"];

    /// <summary>The head of Debian 12's /usr/share/doc/runc/changelog.Debian.gz (1.1.5+ds1-1+deb12u1).</summary>
    private const string DebianChangelog = """
        runc (1.1.5+ds1-1+deb12u1) bookworm-security; urgency=high

          * Team upload.
          * CVE-2024-21626: several container breakouts due to internally leaked fds

         -- Shengjing Zhu <zhsj@debian.org>  Fri, 02 Feb 2024 21:53:05 +0800

        runc (1.1.5+ds1-1) unstable; urgency=medium

          * New upstream version 1.1.5+ds1
            + CVE-2023-25809: rootless: `/sys/fs/cgroup` is writable when cgroupns
        """;

    private const string Debian12 = "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n";

    private static IEnumerable<string> Unfixed(string output, string? changelog = null) =>
        RuntimeAdvisories.Unfixed(RuntimeVersion.Parse(output)!, changelog).Select(a => a.Cve);

    [Theory]
    [InlineData("runc version 1.3.3\ncommit: v1.3.3-0-gd842d771\nspec: 1.2.1\n")]
    [InlineData("runc version 1.2.8\n")]
    [InlineData("runc version 1.4.0-rc.3\n")]
    [InlineData("runc version 1.4.0\n")]
    [InlineData("runc version 1.5.1\n")]
    [InlineData("runc version 2.0.0\n")]
    public void Fixed_releases_pass(string output) => Assert.Empty(Unfixed(output));

    [Theory]
    [InlineData("runc version 1.1.5\n", 4)]
    [InlineData("runc version 1.1.15\n", 3)]
    [InlineData("runc version 1.2.7\n", 3)]
    [InlineData("runc version 1.3.2\n", 3)]
    [InlineData("runc version 1.4.0-rc.2\n", 3)]
    [InlineData("runc version 1.0.0-rc93\n", 4)]
    public void Unfixed_releases_are_flagged(string output, int count)
    {
        var cves = Unfixed(output).ToList();
        Assert.Equal(count, cves.Count);
        Assert.Subset(cves.ToHashSet(), The2025Cves.ToHashSet());
    }

    [Fact]
    public void Debians_backport_is_credited_from_its_own_changelog_only()
    {
        var v = RuntimeVersion.Parse(Debian12)!;
        Assert.Equal(("runc", 1, 1, 5, "1.1.5+ds1-1+deb12u1"), (v.Name, v.Major, v.Minor, v.Patch, v.Commit));
        // The changelog of this very package names CVE-2024-21626, not the 2025 ones.
        Assert.Equal(The2025Cves, Unfixed(Debian12, DebianChangelog));
        // No changelog, or one of another version (a runc installed by hand beside the package): no credit.
        Assert.Contains("CVE-2024-21626", Unfixed(Debian12));
        Assert.Contains("CVE-2024-21626", Unfixed("runc version 1.1.5\ncommit: v1.1.5\n", DebianChangelog));
        Assert.Contains("CVE-2024-21626", Unfixed(Debian12, DebianChangelog.Replace("deb12u1", "deb12u2")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    [InlineData("runc version\n")]
    [InlineData("runc version one.two\n")]
    [InlineData("runc version 1.2\n")]
    [InlineData("runc version 99999999999.1.1\n")]
    public void Garbage_is_no_version(string output) => Assert.Null(RuntimeVersion.Parse(output));

    [Fact]
    public void Other_runtimes_parse_by_name()
    {
        var crun = RuntimeVersion.Parse("crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\n")!;
        Assert.Equal(("crun", 1, 8, 1), (crun.Name, crun.Major, crun.Minor, crun.Patch));
    }

    [Fact]
    public void Pre_releases_sort_before_their_release()
    {
        string[] ordered = ["1.3.9", "1.4.0-rc.1", "1.4.0-rc.2", "1.4.0-rc.10", "1.4.0", "1.4.1"];
        for (int i = 1; i < ordered.Length; i++)
            Assert.True(RuntimeVersion.Of(ordered[i - 1])!.CompareTo(RuntimeVersion.Of(ordered[i])) < 0, $"{ordered[i - 1]} < {ordered[i]}");
    }

    [Fact]
    public void The_doctor_shows_an_unpatched_runtime_as_a_warning_naming_the_cves_and_the_fix()
    {
        var v = RuntimeVersion.Parse(Debian12)!;
        var finding = SystemEndpoints.RuntimeFinding(new RuntimeCheckResult("/usr/sbin/runc", v, null, RuntimeAdvisories.Unfixed(v, DebianChangelog)))!;
        Assert.Equal(DoctorFinding.Warning, finding.Severity);
        Assert.Equal("OCI runtime /usr/sbin/runc", finding.Object);
        Assert.StartsWith("/usr/sbin/runc is runc 1.1.5+ds1 (package 1.1.5+ds1-1+deb12u1), which is not fixed for CVE-2025-31133", finding.Problem);
        Assert.Contains("1.2.8, 1.3.3, 1.4.0-rc.3", finding.Fix);
        Assert.Null(SystemEndpoints.RuntimeFinding(new RuntimeCheckResult("/usr/local/bin/runc", RuntimeVersion.Parse("runc version 1.3.3")!, null, [])));
        var unreadable = SystemEndpoints.RuntimeFinding(new RuntimeCheckResult("/x", null, "the OCI runtime /x answered 'hi' to --version, which names no version", []))!;
        Assert.Contains("names no version", unreadable.Problem);
    }
}
