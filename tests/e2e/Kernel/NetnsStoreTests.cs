using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Namespaces;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.E2ETests.Kernel;

/// <summary>
/// Named network namespaces under a temp directory (/tmp/mydocker-e2e-*). A new namespace touches nothing of the
/// host's network; its bind mounts are removed in Dispose even when a test fails.
/// </summary>
public sealed class NetnsStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-e2e-netns-").FullName;
    private readonly NetnsStore _store;

    public NetnsStoreTests() => _store = new NetnsStore(Path.Combine(_root, "netns"));

    public void Dispose()
    {
        foreach (var mount in Engine.Containers.Rootfs.OverlayMount.MountedUnder(_root).Reverse())
            Libc.Umount2(mount, Libc.MNT_DETACH);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Create_pins_a_new_empty_namespace_that_exists_lists_and_goes_away()
    {
        string path = _store.Create("c1");

        Assert.Equal(Path.Combine(_root, "netns", "c1"), path);
        Assert.True(_store.Exists("c1"));
        Assert.Equal(["c1"], _store.List());
        Assert.Equal(Libc.NSFS_MAGIC, Libc.FileSystemType(path));
        // A different namespace from ours, holding only a down lo.
        Assert.NotEqual(NetnsInode("/proc/self/ns/net"), NetnsInode(path));
        string links = Command.Run("nsenter", ["--net=" + path, "ip", "-o", "link", "show"]);
        Assert.Single(links.Trim().Split('\n'));
        Assert.Contains("1: lo:", links);
        Assert.Contains("state DOWN", links);

        using (var nl = RtNetlink.OpenInNetns(path)) Assert.Equal(["lo"], nl.ListLinks().Select(l => l.Name));

        _store.Remove("c1");
        Assert.False(_store.Exists("c1"));
        Assert.False(File.Exists(path));
        Assert.Empty(_store.List());
        Assert.DoesNotContain(path, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public void Two_namespaces_are_distinct_and_a_second_create_of_a_name_is_a_conflict()
    {
        string a = _store.Create("a"), b = _store.Create("b");
        Assert.NotEqual(NetnsInode(a), NetnsInode(b));
        Assert.Equal(["a", "b"], _store.List());

        var e = Assert.Throws<EngineException>(() => _store.Create("a"));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains(a, e.Message);
        Assert.True(_store.Exists("a"));
        _store.Remove("a");
        _store.Remove("b");
    }

    [Fact]
    public void Remove_is_idempotent_and_cleans_a_leftover_plain_file()
    {
        _store.Remove("never-made");

        _store.Create("x");
        _store.Remove("x");
        _store.Remove("x");

        // A crash between creating the file and mounting leaves a plain file: listed, not existing, removable, reusable.
        File.WriteAllText(_store.PathOf("half"), "");
        Assert.Equal(["half"], _store.List());
        Assert.False(_store.Exists("half"));
        _store.Create("half");
        Assert.True(_store.Exists("half"));
        _store.Remove("half");
        Assert.Empty(_store.List());
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("a b")]
    public void Bad_names_are_refused(string name)
    {
        var e = Assert.Throws<EngineException>(() => _store.Create(name));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(_store.List());
    }

    private static string NetnsInode(string path) => Command.Run("stat", ["-L", "-c", "%i", path]).Trim();
}
