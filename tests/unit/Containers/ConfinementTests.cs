using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Containers.Security;

namespace MyDocker.UnitTests.Containers;

/// <summary>--security-opt, --cap-add/--cap-drop, --pids-limit and the resource defaults (H2, L1, M7).</summary>
public sealed class ConfinementTests
{
    private static readonly IReadOnlySet<string> Everything = Capabilities.Known.ToHashSet();

    [Theory]
    [InlineData(new string[0], SeccompProfiles.Builtin, false)]
    [InlineData(new[] { "seccomp=unconfined" }, SeccompProfiles.Unconfined, false)]
    [InlineData(new[] { "seccomp:unconfined" }, SeccompProfiles.Unconfined, false)]
    [InlineData(new[] { "seccomp=builtin", "no-new-privileges" }, SeccompProfiles.Builtin, true)]
    [InlineData(new[] { "no-new-privileges=true" }, SeccompProfiles.Builtin, true)]
    [InlineData(new[] { "no-new-privileges", "no-new-privileges=false" }, SeccompProfiles.Builtin, false)]
    [InlineData(new[] { """seccomp={"defaultAction":"SCMP_ACT_ALLOW"}""" }, """{"defaultAction":"SCMP_ACT_ALLOW"}""", false)]
    public void H2_security_options_are_read_as_the_docker_daemon_reads_them(string[] options, string seccomp, bool noNewPrivileges) =>
        Assert.Equal(new SecurityOptions(seccomp, noNewPrivileges), SecurityOptions.Parse(options));

    [Theory]
    [InlineData("apparmor=unconfined", "AppArmor")]
    [InlineData("label=disable", "label")]
    [InlineData("label:type:svirt_apache_t", "label")]
    [InlineData("systempaths=unconfined", "'systempaths' is not supported")]
    [InlineData("seccomp=", "needs a value")]
    [InlineData("no-new-privileges=maybe", "'maybe' is not a boolean")]
    [InlineData("disable", "not KEY=VALUE")]
    public void H2_other_security_options_are_refused_by_name(string option, string expected)
    {
        var e = Assert.Throws<EngineException>(() => SecurityOptions.Parse([option]));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void L1_the_default_set_drops_mknod_and_audit_write()
    {
        Assert.Equal(12, Capabilities.Default.Count);
        Assert.DoesNotContain("CAP_MKNOD", Capabilities.Default);
        Assert.DoesNotContain("CAP_AUDIT_WRITE", Capabilities.Default);
        Assert.Equal(Capabilities.Default, Capabilities.Resolve([], [], Everything));
    }

    [Fact]
    public void L1_cap_add_and_cap_drop_follow_dockers_rules()
    {
        Assert.Equal([.. Capabilities.Default.Where(c => c != "CAP_NET_RAW"), "CAP_MKNOD"],
            Capabilities.Resolve(["mknod"], ["CAP_NET_RAW"], Everything));
        Assert.Equal(["CAP_NET_BIND_SERVICE"], Capabilities.Resolve(["net_bind_service"], ["all"], Everything));
        Assert.Equal(Capabilities.Known.Where(c => c != "CAP_SYS_ADMIN"), Capabilities.Resolve(["ALL"], ["SYS_ADMIN"], Everything));
        // A capability this process lacks cannot be handed on: named, it is refused; with ALL it is left out.
        var withoutResource = Everything.Where(c => c != "CAP_SYS_RESOURCE").ToHashSet();
        Assert.DoesNotContain("CAP_SYS_RESOURCE", Capabilities.Resolve(["ALL"], [], withoutResource));
        Assert.Contains("does not hold", Assert.Throws<EngineException>(() => Capabilities.Resolve(["SYS_RESOURCE"], [], withoutResource)).Message);
        Assert.Contains("'CAP_NOPE'", Assert.Throws<EngineException>(() => Capabilities.Resolve(["CAP_NOPE"], [], Everything)).Message);
        Assert.Contains("--cap-drop 'bogus'", Assert.Throws<EngineException>(() => Capabilities.Resolve([], ["bogus"], Everything)).Message);
    }

    [Fact]
    public void L1_capability_masks_read_as_proc_status_shows_them()
    {
        // Bits 0-40 set, bit 24 (CAP_SYS_RESOURCE) clear: root on this project's machines.
        var caps = Capabilities.FromMask(0x000001fffeffffff);
        Assert.Equal(40, caps.Count);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", caps);
        Assert.Contains("CAP_CHECKPOINT_RESTORE", caps);
    }

    [Fact]
    public void H2_confinement_compiles_the_filter_for_the_resolved_capabilities()
    {
        var plain = Confinement.Of([], [], [], Everything);
        Assert.False(plain.NoNewPrivileges);
        Assert.DoesNotContain(plain.Seccomp!["syscalls"]!.AsArray(), r => r!["names"]!.AsArray().Any(n => n!.GetValue<string>() == "unshare"));
        var admin = Confinement.Of(["no-new-privileges"], ["SYS_ADMIN"], [], Everything);
        Assert.True(admin.NoNewPrivileges);
        Assert.Contains("CAP_SYS_ADMIN", admin.Capabilities);
        Assert.Contains(admin.Seccomp!["syscalls"]!.AsArray(), r => r!["names"]!.AsArray().Any(n => n!.GetValue<string>() == "unshare"));
        Assert.Null(Confinement.Of(["seccomp=unconfined"], [], [], Everything).Seccomp);
    }

    [Theory]
    [InlineData(null, 2048L, 2048L)]
    [InlineData(20L, 2048L, 20L)]
    [InlineData(0L, 2048L, 0L)]
    [InlineData(-1L, 2048L, 0L)]
    [InlineData(null, 0L, 0L)]
    [InlineData(null, -1L, 0L)]
    public void M7_the_pids_limit_in_force_is_the_requests_or_the_daemons_default(long? requested, long daemonDefault, long stored) =>
        Assert.Equal(stored, ContainerPlanner.Resolve(new ContainerSpec { PidsLimit = requested }, daemonDefault).PidsLimit);

    [Fact]
    public void L1_capability_names_are_stored_as_the_docker_cli_sends_them()
    {
        var spec = ContainerPlanner.Resolve(new ContainerSpec { CapAdd = ["net_admin", "CAP_SYS_PTRACE", "NET_ADMIN"], CapDrop = ["all"] }, 2048);
        Assert.Equal(["CAP_NET_ADMIN", "CAP_SYS_PTRACE"], spec.CapAdd);
        Assert.Equal(["ALL"], spec.CapDrop);
    }

    [Theory]
    [InlineData(1048576UL, 1024UL, 524288UL)]
    [InlineData(20000UL, 1024UL, 20000UL)]
    [InlineData(512UL, 512UL, 512UL)]
    public void M7_nofile_is_dockers_lowered_to_what_the_daemon_may_give(ulong daemonHard, ulong soft, ulong hard) =>
        Assert.Equal((soft, hard), ResourceDefaults.Nofile(daemonHard));

    [Theory]
    [InlineData(-500, 0)]
    [InlineData(0, 500)]
    [InlineData(-1000, 0)]
    [InlineData(700, 1000)]
    public void M7_a_container_is_the_oom_killers_choice_before_the_daemon(int daemon, int container) =>
        Assert.Equal(container, ResourceDefaults.ContainerOomScoreAdj(daemon));
}
