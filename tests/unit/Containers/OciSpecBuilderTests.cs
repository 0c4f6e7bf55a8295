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
