using MyDocker.Engine;
using MyDocker.Engine.Containers.Rootfs;
using MyDocker.Engine.Kernel;

namespace MyDocker.E2ETests.Containers;

/// <summary>Overlay root filesystems under /tmp/mydocker-e2e-*, unmounted in Dispose even when a test fails.</summary>
public sealed class OverlayMountTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-e2e-ovl-").FullName;

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    public void Dispose()
    {
        foreach (var mount in OverlayMount.MountedUnder(_root).Reverse()) OverlayMount.Unmount(mount);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Two_lowers_and_an_upper_merge_writes_go_up_and_deletes_leave_whiteouts()
    {
        string top = Dir("layers/top"), base_ = Dir("layers/base"), upper = Dir("c/upper"), work = Dir("c/work"), target = Dir("c/rootfs");
        File.WriteAllText(Path.Combine(base_, "etc-hostname"), "base");
        File.WriteAllText(Path.Combine(base_, "shadowed"), "base");
        File.WriteAllText(Path.Combine(top, "shadowed"), "top");
        File.WriteAllText(Path.Combine(base_, "doomed"), "x");

        OverlayMount.Mount([top, base_], upper, work, target);

        Assert.True(OverlayMount.IsMounted(target));
        Assert.Equal([target], OverlayMount.MountedUnder(_root));
        Assert.Equal("base", File.ReadAllText(Path.Combine(target, "etc-hostname")));
        Assert.Equal("top", File.ReadAllText(Path.Combine(target, "shadowed")));   // the first lower wins

        File.WriteAllText(Path.Combine(target, "new"), "written");
        Assert.Equal("written", File.ReadAllText(Path.Combine(upper, "new")));
        Assert.False(File.Exists(Path.Combine(top, "new")));

        File.Delete(Path.Combine(target, "doomed"));
        Assert.False(File.Exists(Path.Combine(target, "doomed")));
        Assert.True(File.Exists(Path.Combine(base_, "doomed")));                   // lowers are never changed
        // The whiteout: a 0/0 character device in the upper dir.
        Assert.Equal("character special file 0,0", Infrastructure.Command.Run("stat", ["-c", "%F %t,%T", Path.Combine(upper, "doomed")]).Trim());

        OverlayMount.Unmount(target);
        Assert.False(OverlayMount.IsMounted(target));
        Assert.Empty(OverlayMount.MountedUnder(_root));
        Assert.Empty(Directory.GetFileSystemEntries(target));
        OverlayMount.Unmount(target);                                               // not mounted: success
        OverlayMount.Unmount(Path.Combine(_root, "no-such-dir"));
    }

    [Fact]
    public void One_lower_is_enough_and_zero_is_refused()
    {
        string only = Dir("layers/only"), upper = Dir("c/upper"), work = Dir("c/work"), target = Dir("c/rootfs");
        File.WriteAllText(Path.Combine(only, "f"), "1");

        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => OverlayMount.Mount([], upper, work, target)).Kind);
        Assert.False(OverlayMount.IsMounted(target));

        OverlayMount.Mount([only], upper, work, target);
        Assert.Equal("1", File.ReadAllText(Path.Combine(target, "f")));
        OverlayMount.Unmount(target);
    }

    [Fact]
    public void Mount_points_with_spaces_are_found_through_mountinfo_escapes()
    {
        string lower = Dir("l"), upper = Dir("u"), work = Dir("w"), target = Dir("root fs\there");
        OverlayMount.Mount([lower], upper, work, target);
        Assert.True(OverlayMount.IsMounted(target));
        Assert.Equal([target], OverlayMount.MountedUnder(_root));
        OverlayMount.Unmount(target);
        Assert.False(OverlayMount.IsMounted(target));
    }

    [Fact]
    public void A_missing_layer_is_a_kernel_error_naming_the_mount_point()
    {
        string upper = Dir("u"), work = Dir("w"), target = Dir("t");
        var e = Assert.Throws<KernelNotFoundException>(() => OverlayMount.Mount([Path.Combine(_root, "gone")], upper, work, target));
        Assert.Equal(KernelException.ENOENT, e.Errno);
        Assert.Contains(target, e.Message);
        Assert.False(OverlayMount.IsMounted(target));
    }
}
