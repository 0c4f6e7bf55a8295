using System.Runtime.CompilerServices;
using System.Text.Json;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;

namespace MyDocker.UnitTests.Containers;

public sealed class OciSpecBuilderTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("mydocker-unit-rootfs-").FullName;

    private static RuntimeSpec Spec(string? user = null, IReadOnlyList<string>? env = null) => new(
        Id: "0123456789ab", Args: ["sh", "-c", "echo hi"], Env: env ?? ["FOO=bar"], WorkingDir: "/work", User: user,
        Hostname: "0123456789ab", NetnsPath: "/run/mydocker/netns/0123456789ab", BundleDir: "/var/lib/mydocker/containers/0123456789ab",
        Mounts: [new BindMount("/srv/data", "/data", ReadOnly: true), new BindMount("/srv/rw", "/rw", ReadOnly: false)],
        MemoryBytes: 32 * 1024 * 1024, NanoCpus: 1_500_000_000, CgroupParent: "mydocker");

    [Fact]
    public void Config_json_matches_the_golden_file()
    {
        var json = OciSpecBuilder.Build(Spec(), "/var/lib/mydocker/containers/0123456789ab/rootfs");
        AssertGolden("config.json", json);
    }

    [Fact]
    public void Limits_namespaces_and_path_default()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec(env: []), _rootfs));
        var linux = doc.RootElement.GetProperty("linux");
        Assert.Equal(33554432, linux.GetProperty("resources").GetProperty("memory").GetProperty("limit").GetInt64());
        Assert.Equal(33554432, linux.GetProperty("resources").GetProperty("memory").GetProperty("swap").GetInt64());
        Assert.Equal(150000, linux.GetProperty("resources").GetProperty("cpu").GetProperty("quota").GetInt64());
        Assert.Equal(100000, linux.GetProperty("resources").GetProperty("cpu").GetProperty("period").GetInt64());
        Assert.False(linux.GetProperty("resources").TryGetProperty("pids", out _));
        Assert.Equal("/mydocker/0123456789ab", linux.GetProperty("cgroupsPath").GetString());
        var network = linux.GetProperty("namespaces").EnumerateArray().Single(n => n.GetProperty("type").GetString() == "network");
        Assert.Equal("/run/mydocker/netns/0123456789ab", network.GetProperty("path").GetString());
        var env = doc.RootElement.GetProperty("process").GetProperty("env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(OciSpecBuilder.DefaultPath, env);
        Assert.False(doc.RootElement.GetProperty("process").TryGetProperty("rlimits", out _));
    }

    [Fact]
    public void An_image_path_is_kept()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec(env: ["PATH=/opt/bin"]), _rootfs));
        var env = doc.RootElement.GetProperty("process").GetProperty("env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("PATH=/opt/bin", env);
        Assert.DoesNotContain(OciSpecBuilder.DefaultPath, env);
    }

    [Fact]
    public void Without_limits_there_is_no_memory_or_cpu_section()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { MemoryBytes = null, NanoCpus = null }, _rootfs));
        var resources = doc.RootElement.GetProperty("linux").GetProperty("resources");
        Assert.False(resources.TryGetProperty("memory", out _));
        Assert.False(resources.TryGetProperty("cpu", out _));
    }

    [Fact]
    public void H2_the_spec_carries_the_seccomp_filter_it_is_given_and_none_when_unconfined()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec(), _rootfs));
        var seccomp = doc.RootElement.GetProperty("linux").GetProperty("seccomp");
        Assert.Equal("SCMP_ACT_ERRNO", seccomp.GetProperty("defaultAction").GetString());
        var allowed = seccomp.GetProperty("syscalls").EnumerateArray()
            .Where(r => r.GetProperty("action").GetString() == "SCMP_ACT_ALLOW")
            .SelectMany(r => r.GetProperty("names").EnumerateArray().Select(n => n.GetString())).ToHashSet();
        foreach (var name in new[] { "unshare", "keyctl", "add_key", "io_uring_setup", "userfaultfd", "perf_event_open", "bpf" })
            Assert.DoesNotContain(name, allowed);
        Assert.False(doc.RootElement.GetProperty("process").GetProperty("noNewPrivileges").GetBoolean());

        using var unconfined = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { Seccomp = null, NoNewPrivileges = true }, _rootfs));
        Assert.False(unconfined.RootElement.GetProperty("linux").TryGetProperty("seccomp", out _));
        Assert.True(unconfined.RootElement.GetProperty("process").GetProperty("noNewPrivileges").GetBoolean());
    }

    [Fact]
    public void L1_capabilities_are_the_given_set_and_ping_works_without_net_raw()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { Capabilities = ["CAP_KILL", "CAP_CHOWN"] }, _rootfs));
        foreach (var set in new[] { "bounding", "effective", "permitted" })
            Assert.Equal(["CAP_KILL", "CAP_CHOWN"], doc.RootElement.GetProperty("process").GetProperty("capabilities").GetProperty(set)
                .EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("0 2147483647", doc.RootElement.GetProperty("linux").GetProperty("sysctl").GetProperty("net.ipv4.ping_group_range").GetString());
    }

    [Fact]
    public void L2_masked_paths_are_at_least_dockers_current_list()
    {
        string[] docker =
        [
            "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug",
            "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
        ];
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec(), _rootfs));
        var masked = doc.RootElement.GetProperty("linux").GetProperty("maskedPaths").EnumerateArray().Select(p => p.GetString()).ToList();
        foreach (var path in docker) Assert.Contains(path, masked);
    }

    [Fact]
    public void L2_each_cpus_thermal_throttle_directory_is_listed_from_the_host()
    {
        string cpus = Path.Combine(_rootfs, "cpu");
        foreach (var d in new[] { "cpu0/thermal_throttle", "cpu1", "cpu12/thermal_throttle", "cpufreq/thermal_throttle", "cpuidle" })
            Directory.CreateDirectory(Path.Combine(cpus, d));
        Assert.Equal(["/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu12/thermal_throttle"],
            OciSpecBuilder.ThermalThrottlePaths(cpus));
        Assert.Empty(OciSpecBuilder.ThermalThrottlePaths(Path.Combine(_rootfs, "none")));
    }

    [Fact]
    public void L3_read_only_binds_are_read_only_all_the_way_down()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec(), _rootfs));
        var mounts = doc.RootElement.GetProperty("mounts").EnumerateArray()
            .ToDictionary(m => m.GetProperty("destination").GetString()!, m => m.GetProperty("options").EnumerateArray().Select(o => o.GetString()).ToList());
        Assert.Equal(["rbind", "rprivate", "rro"], mounts["/data"]);
        Assert.Equal(["rbind", "rprivate"], mounts["/rw"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void L4_a_private_cgroup_namespace_exactly_on_a_pure_cgroup_v2_host(bool unified)
    {
        // The host's layout decides: hybrid v1 has one directory per controller and cgroup2 under unified/; pure v2
        // has the controllers' files at the root.
        string root = Path.Combine(_rootfs, "cgroup");
        Directory.CreateDirectory(Path.Combine(root, "unified"));
        File.WriteAllText(Path.Combine(root, unified ? "cgroup.controllers" : "unified/cgroup.controllers"), "cpu memory pids\n");
        Assert.Equal(unified, CgroupDirs.IsUnifiedOnly(root));

        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { CgroupNamespace = CgroupDirs.IsUnifiedOnly(root) }, _rootfs));
        var namespaces = doc.RootElement.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ToList();
        Assert.Equal(unified, namespaces.Contains("cgroup"));
    }

    [Fact]
    public void M7_pids_limit_rlimits_and_oom_score_are_the_containers_own()
    {
        using var doc = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { PidsLimit = 2048, Nofile = (1024, 20000), OomScoreAdj = 0 }, _rootfs));
        Assert.Equal(2048, doc.RootElement.GetProperty("linux").GetProperty("resources").GetProperty("pids").GetProperty("limit").GetInt64());
        var process = doc.RootElement.GetProperty("process");
        var nofile = Assert.Single(process.GetProperty("rlimits").EnumerateArray());
        Assert.Equal(("RLIMIT_NOFILE", 1024UL, 20000UL), (nofile.GetProperty("type").GetString(), nofile.GetProperty("soft").GetUInt64(), nofile.GetProperty("hard").GetUInt64()));
        Assert.Equal(0, process.GetProperty("oomScoreAdj").GetInt32());

        using var unlimited = JsonDocument.Parse(OciSpecBuilder.Build(Spec() with { PidsLimit = 0 }, _rootfs));
        Assert.False(unlimited.RootElement.GetProperty("linux").GetProperty("resources").TryGetProperty("pids", out _));
    }

    [Fact]
    public void An_empty_command_is_refused()
    {
        var e = Assert.Throws<EngineException>(() => OciSpecBuilder.Build(Spec() with { Args = [] }, _rootfs));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    private static void AssertGolden(string name, string actual, [CallerFilePath] string source = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(source)!, "Golden", name);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        Assert.Equal(File.ReadAllText(path), actual);
    }

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);
}

public sealed class UserLookupTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("mydocker-unit-rootfs-").FullName;

    public UserLookupTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33:www:/var/www:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc/group"),
            "root:x:0:\nwww:x:33:\nalice:x:1000:\nstaff:x:50:alice,bob\naudio:x:29:alice\n");
    }

    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("", 0u, 0u)]
    [InlineData("0", 0u, 0u)]
    [InlineData("33", 33u, 33u)]
    [InlineData("4242", 4242u, 0u)]
    [InlineData("4242:7", 4242u, 7u)]
    [InlineData("www", 33u, 33u)]
    [InlineData("www:staff", 33u, 50u)]
    [InlineData("alice:0", 1000u, 0u)]
    public void Resolves_docker_user_forms(string? user, uint uid, uint gid)
    {
        var resolved = UserLookup.Resolve(user, _rootfs);
        Assert.Equal((uid, gid), (resolved.Uid, resolved.Gid));
    }

    [Fact]
    public void Supplementary_groups_come_from_etc_group()
    {
        Assert.Equal([50u, 29u], UserLookup.Resolve("alice", _rootfs).AdditionalGids);
    }

    [Fact]
    public void Unknown_names_are_refused_with_the_name()
    {
        var e = Assert.Throws<EngineException>(() => UserLookup.Resolve("mallory", _rootfs));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("mallory", e.Message);
        Assert.Contains("wheel", Assert.Throws<EngineException>(() => UserLookup.Resolve("www:wheel", _rootfs)).Message);
    }

    [Fact]
    public void A_symlinked_passwd_is_resolved_inside_the_rootfs()
    {
        // An image whose /etc/passwd points at "/etc/shadow" must read the image's shadow, never the host's.
        File.Delete(Path.Combine(_rootfs, "etc/passwd"));
        File.WriteAllText(Path.Combine(_rootfs, "etc/real-passwd"), "bob:x:77:77::/:/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_rootfs, "etc/passwd"), "/etc/../../../etc/real-passwd");
        Assert.Equal(77u, UserLookup.Resolve("bob", _rootfs).Uid);
    }

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);
}
