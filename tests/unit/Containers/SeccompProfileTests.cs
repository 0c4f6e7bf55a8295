using System.Text.Json.Nodes;
using MyDocker.Engine;
using MyDocker.Engine.Containers.Security;

namespace MyDocker.UnitTests.Containers;

/// <summary>H2: the default profile as runc receives it, and profiles given with --security-opt seccomp=FILE.</summary>
public sealed class SeccompProfileTests
{
    private static readonly Version Kernel = new(6, 18);

    private static JsonObject Compile(IReadOnlyCollection<string>? caps = null, SeccompArch? arch = null) =>
        DefaultSeccompProfile.Profile.Compile(caps ?? Capabilities.Default, arch ?? SeccompArch.X86_64, Kernel);

    /// <summary>Rules of <paramref name="name"/>: (action, errno, whether it has argument conditions).</summary>
    private static List<(string Action, uint? Errno, bool Conditional)> RulesFor(JsonObject oci, string name) =>
        oci["syscalls"]!.AsArray().Select(r => r!.AsObject())
            .Where(r => r["names"]!.AsArray().Any(n => n!.GetValue<string>() == name))
            .Select(r => (r["action"]!.GetValue<string>(), r["errnoRet"]?.GetValue<uint>(), r["args"] is JsonArray { Count: > 0 }))
            .ToList();

    private static bool AllowedOutright(JsonObject oci, string name) => RulesFor(oci, name).Contains(("SCMP_ACT_ALLOW", null, false));

    [Fact]
    public void H2_default_profile_denies_by_default_with_eperm_on_dockers_architectures()
    {
        var oci = Compile();
        Assert.Equal("SCMP_ACT_ERRNO", oci["defaultAction"]!.GetValue<string>());
        Assert.Equal(1u, oci["defaultErrnoRet"]!.GetValue<uint>());
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], oci["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], Compile(arch: SeccompArch.Aarch64)["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        foreach (var name in new[] { "read", "write", "openat", "execve", "fork", "socketpair", "ptrace", "arch_prctl" })
            Assert.True(AllowedOutright(oci, name), $"{name} is allowed");
        Assert.Empty(RulesFor(Compile(arch: SeccompArch.Aarch64), "arch_prctl"));
    }

    [Theory]
    [InlineData("unshare")]
    [InlineData("setns")]
    [InlineData("mount")]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("request_key")]
    [InlineData("io_uring_setup")]
    [InlineData("io_uring_enter")]
    [InlineData("io_uring_register")]
    [InlineData("userfaultfd")]
    [InlineData("perf_event_open")]
    [InlineData("bpf")]
    [InlineData("kcmp")]
    [InlineData("pivot_root")]
    [InlineData("kexec_load")]
    [InlineData("init_module")]
    [InlineData("open_by_handle_at")]
    [InlineData("clock_settime")]
    [InlineData("reboot")]
    public void H2_default_profile_allows_no_namespace_keyring_or_kernel_attack_surface_call(string name) =>
        Assert.DoesNotContain(RulesFor(Compile(), name), r => r.Action == "SCMP_ACT_ALLOW");

    [Fact]
    public void H2_clone_is_allowed_only_without_namespace_flags_and_clone3_answers_enosys()
    {
        var oci = Compile();
        var clone = oci["syscalls"]!.AsArray().Single(r => r!["names"]!.AsArray().Any(n => n!.GetValue<string>() == "clone"))!;
        var arg = clone["args"]!.AsArray().Single()!;
        Assert.Equal(("SCMP_CMP_MASKED_EQ", 0u, 0x7E020000UL, 0UL),
            (arg["op"]!.GetValue<string>(), arg["index"]!.GetValue<uint>(), arg["value"]!.GetValue<ulong>(), arg["valueTwo"]!.GetValue<ulong>()));
        Assert.Equal([("SCMP_ACT_ERRNO", 38u, false)], RulesFor(oci, "clone3"));
    }

    [Fact]
    public void H2_personality_is_allowed_for_the_harmless_values_only()
    {
        var values = Compile()["syscalls"]!.AsArray()
            .Where(r => r!["names"]!.AsArray().Any(n => n!.GetValue<string>() == "personality"))
            .Select(r => (r!["action"]!.GetValue<string>(), r["args"]![0]!["op"]!.GetValue<string>(), r["args"]![0]!["value"]!.GetValue<ulong>()));
        Assert.Equal([("SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0UL), ("SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 8UL), ("SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0x20000UL),
            ("SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0x20008UL), ("SCMP_ACT_ALLOW", "SCMP_CMP_EQ", 0xffffffffUL)], values);
    }

    [Fact]
    public void H2_an_added_capability_brings_back_the_calls_docker_ties_to_it()
    {
        var admin = Compile([.. Capabilities.Default, "CAP_SYS_ADMIN"]);
        Assert.True(AllowedOutright(admin, "unshare"));
        Assert.True(AllowedOutright(admin, "clone"));
        Assert.True(AllowedOutright(admin, "clone3"));
        Assert.DoesNotContain(RulesFor(admin, "clone3"), r => r.Action == "SCMP_ACT_ERRNO");
        var ptrace = Compile([.. Capabilities.Default, "CAP_SYS_PTRACE"]);
        Assert.True(AllowedOutright(ptrace, "kcmp"));
        Assert.False(AllowedOutright(ptrace, "unshare"));
        // Never keyctl or io_uring, whatever the capabilities.
        var all = Compile(Capabilities.Known);
        Assert.Empty(RulesFor(all, "keyctl"));
        Assert.Empty(RulesFor(all, "io_uring_setup"));
    }

    [Fact]
    public void H2_without_audit_write_an_audit_netlink_socket_answers_einval_and_af_alg_is_never_allowed()
    {
        static List<(ulong? Family, string? Op, uint? Errno)> Sockets(JsonObject oci) => oci["syscalls"]!.AsArray()
            .Where(r => r!["names"]!.AsArray().Any(n => n!.GetValue<string>() == "socket"))
            .Select(r => (r!["args"]?[0]?["value"]?.GetValue<ulong>(), r["args"]?[0]?["op"]?.GetValue<string>(), r["errnoRet"]?.GetValue<uint>()))
            .ToList();
        var without = Sockets(Compile());
        Assert.Contains((16UL, "SCMP_CMP_EQ", 22u), without); // AF_NETLINK + NETLINK_AUDIT → EINVAL
        var with = Sockets(Compile([.. Capabilities.Default, "CAP_AUDIT_WRITE"]));
        Assert.DoesNotContain(with, s => s.Errno is not null);
        // AF_ALG (38) and AF_VSOCK (40) fall between the allowed ranges: < 38, == 39, > 40.
        Assert.Contains((38UL, "SCMP_CMP_LT", null), with);
        Assert.Contains((39UL, "SCMP_CMP_EQ", null), with);
        Assert.Contains((40UL, "SCMP_CMP_GT", null), with);
    }

    [Fact]
    public void H2_unconfined_has_no_filter_and_builtin_is_the_default_profile()
    {
        Assert.Null(SeccompProfiles.For(SeccompProfiles.Unconfined, Capabilities.Default));
        Assert.Equal("SCMP_ACT_ERRNO", SeccompProfiles.For(SeccompProfiles.Builtin, Capabilities.Default)!["defaultAction"]!.GetValue<string>());
    }

    /// <summary>A profile in Docker's own format, conditions and all, as `docker run --security-opt seccomp=FILE` sends it.</summary>
    private const string DockerStyle = """
        {
          "defaultAction": "SCMP_ACT_ERRNO",
          "defaultErrnoRet": 1,
          "archMap": [
            { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
            { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
          ],
          "syscalls": [
            { "names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW", "comment": "basics" },
            { "names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "4.8" } },
            { "names": ["future_call"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "99.0" } },
            { "names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64", "x32"] } },
            { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
            { "name": "clone3", "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "excludes": { "caps": ["CAP_SYS_ADMIN"] } },
            { "names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 8, "op": "SCMP_CMP_EQ" }] }
          ]
        }
        """;

    [Fact]
    public void H2_a_docker_format_profile_is_evaluated_for_the_container_as_docker_does()
    {
        var oci = SeccompProfileReader.Parse(DockerStyle).Compile(Capabilities.Default, SeccompArch.X86_64, Kernel);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], oci["architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        var names = oci["syscalls"]!.AsArray().SelectMany(r => r!["names"]!.AsArray().Select(n => n!.GetValue<string>())).ToList();
        Assert.Equal(["read", "write", "exit_group", "ptrace", "arch_prctl", "clone3", "personality"], names);
        Assert.Equal(38u, oci["syscalls"]![3]!["errnoRet"]!.GetValue<uint>());

        var admin = SeccompProfileReader.Parse(DockerStyle).Compile([.. Capabilities.Default, "CAP_SYS_ADMIN"], SeccompArch.Aarch64, new Version(4, 4));
        var adminNames = admin["syscalls"]!.AsArray().SelectMany(r => r!["names"]!.AsArray().Select(n => n!.GetValue<string>())).ToList();
        Assert.Equal(["read", "write", "exit_group", "mount", "personality"], adminNames);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"syscalls":[]}""", "no defaultAction")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOPE"}""", "SCMP_ACT_NOPE")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOTIFY"}""", "seccomp agent")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock"}""", "listenerPath")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","bogus":1}""", "field 'bogus'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""", "both architectures and archMap")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_Z80"]}""", "SCMP_ARCH_Z80")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}""", "SECCOMP_FILTER_FLAG_NEW_LISTENER")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}""", "syscalls[0] names no syscall")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"name":"write","action":"SCMP_ACT_ALLOW"}]}""", "both name and names")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["Read;"],"action":"SCMP_ACT_ALLOW"}]}""", "not a syscall name")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}""", "errnoRet")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""", "index 6")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}""", "SCMP_CMP_LIKE")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]}""", "value must be a whole number")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"four"}}]}""", "minKernel 'four'")]
    public void H2_a_faulty_profile_is_refused_naming_the_fault(string json, string expected)
    {
        var e = Assert.Throws<EngineException>(() => SeccompProfileReader.Parse(json));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith("--security-opt seccomp: ", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
