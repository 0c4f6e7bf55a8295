using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Runtime;

/// <summary>The daemon reads its OCI runtime's version at start and warns, loudly, when runc lacks security fixes.</summary>
public sealed class RuntimeVersionCheckTests
{
    private static List<string> Warnings(DaemonUnderTest d) => d.LogLines("").Where(l => l.Contains("OCI RUNTIME WARNING", StringComparison.Ordinal)).ToList();

    [Fact]
    public void An_old_runc_is_named_in_the_log_and_by_the_doctor_and_the_daemon_still_works()
    {
        using var d = new DaemonUnderTest("rtv", start: false).WithBusybox();
        // A runc that says it is plain upstream 1.1.5 (no distribution package to credit backports), and is the real
        // runc for everything else.
        string fake = Path.Combine(d.Root, "old-runc");
        File.WriteAllText(fake, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'runc version 1.1.5'; echo 'commit: v1.1.5-0-gf19387a6'; echo 'spec: 1.0.2-dev'; exit 0; fi\nexec /usr/sbin/runc \"$@\"\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0x1ed);
        d.ExtraEnv["MYDOCKER_MyDocker__RuntimePath"] = fake;
        d.Start();

        var warning = Assert.Single(Warnings(d));
        Assert.Contains($"{fake} is runc 1.1.5, which is not fixed for CVE-2024-21626", warning);
        foreach (var cve in new[] { "CVE-2025-31133", "CVE-2025-52565", "CVE-2025-52881" }) Assert.Contains(cve, warning);
        var doctor = d.Cli("system", "doctor");
        Assert.Equal(0, doctor.ExitCode); // a warning, not a failure
        Assert.Contains($"warning: OCI runtime {fake}\n", doctor.Stdout);
        Assert.Contains("1.2.8, 1.3.3, 1.4.0-rc.3", doctor.Stdout);
        // It warns; it does not refuse.
        Assert.Equal("hi\n", d.CliOk("run", "--rm", "busybox", "echo", "hi"));
    }

    [Fact]
    public void Debians_runc_is_credited_with_the_fix_its_changelog_lists_and_flagged_for_the_rest()
    {
        // This machine's /usr/sbin/runc is Debian 12's 1.1.5+ds1-1+deb12u1, which backports CVE-2024-21626 only.
        var version = Command.Run("/usr/sbin/runc", ["--version"]);
        Assert.Contains("commit: 1.1.5+ds1-1+deb12u1", version);
        using var d = new DaemonUnderTest("rtd");
        var warning = Assert.Single(Warnings(d));
        Assert.Contains("(package 1.1.5+ds1-1+deb12u1), which is not fixed for CVE-2025-31133", warning);
        Assert.DoesNotContain("CVE-2024-21626", warning);
    }
}
