using MyDocker.Engine;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.UnitTests.Containers;

/// <summary>
/// The daemon reads an image's or a running container's /etc/passwd and /etc/group (UserLookup) as a host process:
/// whatever the container put there must neither hang it, nor fill its memory, nor make it read a host file. A temp
/// rootfs, as root (mknod). A read that hangs would hang the test run, so each read gets a generous bound and fails
/// the test instead.
/// </summary>
public sealed class RootfsFileTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("mydocker-unit-rootfs-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("mydocker-unit-host-").FullName;
    private string Passwd => Path.Combine(_rootfs, "etc/passwd");

    public RootfsFileTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc/group"), "root:x:0:\n");
        // A "host" account the container must never get its ids from.
        File.WriteAllText(Path.Combine(_outside, "passwd"), "bob:x:77:77::/:/bin/sh\n");
    }

    private static EngineException Refused(Func<object?> read)
    {
        var task = Task.Run(read);
        Assert.True(Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30))).Result == task, "the read did not return");
        var e = Assert.IsType<EngineException>(Assert.IsType<AggregateException>(task.Exception).InnerException);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        return e;
    }

    [Fact]
    public void A_fifo_is_refused_without_blocking()
    {
        Libc.Check(Libc.MkNod(Passwd, Libc.S_IFIFO | 0x1a4, 0), "mknod");
        var e = Refused(() => UserLookup.Resolve("app", _rootfs, "image 'evil'"));
        Assert.Contains("/etc/passwd of image 'evil' is a FIFO, not a regular file", e.Message);
    }

    [Fact]
    public void A_character_device_is_refused_without_being_opened()
    {
        // /dev/zero's numbers: an endless line if it were read.
        Libc.Check(Libc.MkNod(Passwd, Libc.S_IFCHR | 0x1a4, Libc.MakeDev(1, 5)), "mknod");
        var e = Refused(() => UserLookup.Resolve("0", _rootfs, "container 'web'"));
        Assert.Contains("/etc/passwd of container 'web' is a character device", e.Message);
    }

    [Fact]
    public void A_huge_sparse_file_is_refused_by_its_size()
    {
        using (var f = File.Create(Passwd)) f.SetLength(2L << 30);
        var e = Refused(() => UserLookup.Resolve("app", _rootfs, "image 'evil'"));
        Assert.Contains($"is {2L << 30} bytes", e.Message);
    }

    [Fact]
    public void An_endless_line_is_refused()
    {
        File.WriteAllText(Passwd, "root:x:0:0::/:/bin/sh\n" + new string('a', RootfsFile.MaxLineBytes + 1) + "\n");
        var e = Refused(() => UserLookup.Resolve("app", _rootfs, "image 'evil'"));
        Assert.Contains("line 2 of /etc/passwd of image 'evil' is longer than 64 KiB", e.Message);
    }

    [Fact]
    public void A_directory_is_refused()
    {
        Directory.CreateDirectory(Passwd);
        Assert.Contains("is a directory", Refused(() => UserLookup.Resolve("app", _rootfs, "image 'evil'")).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_symlink_to_a_host_file_never_reads_it(bool dotDot)
    {
        // Absolute: resolved as the container sees "/", where there is no such file. Relative with "..": clamped at
        // the rootfs's root, as the kernel does inside the container.
        string target = dotDot ? Path.GetRelativePath(Path.Combine(_rootfs, "etc"), Path.Combine(_outside, "passwd")) : Path.Combine(_outside, "passwd");
        if (dotDot) Assert.StartsWith("../", target);
        File.CreateSymbolicLink(Passwd, target);
        var e = Refused(() => UserLookup.Resolve("bob", _rootfs, "container 'web'"));
        Assert.Contains("unable to find user bob", e.Message);
        // A numeric user still works: the missing file is no error, as in Docker.
        Assert.Equal(0u, UserLookup.Resolve("4242", _rootfs).Gid);
    }

    [Fact]
    public void A_symlinked_etc_directory_stays_inside_the_rootfs()
    {
        // /etc itself swapped for a symlink to the host's directory (the race M3 describes, frozen).
        Directory.Delete(Path.Combine(_rootfs, "etc"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(_rootfs, "etc"), _outside);
        Assert.Contains("unable to find user bob", Refused(() => UserLookup.Resolve("bob", _rootfs, "container 'web'")).Message);
    }

    [Fact]
    public void A_symlink_loop_is_refused()
    {
        File.CreateSymbolicLink(Passwd, "/etc/passwd");
        Assert.Contains("cannot be resolved", Refused(() => UserLookup.Resolve("app", _rootfs, "image 'evil'")).Message);
    }

    [Fact]
    public void A_regular_file_within_the_limits_is_read()
    {
        File.WriteAllText(Passwd, "root:x:0:0::/:/bin/sh\n" + new string('#', 60_000) + "\napp:x:1000:1000::/:/bin/sh");
        Assert.Equal(1000u, UserLookup.Resolve("app", _rootfs).Uid);
        Assert.Null(RootfsFile.ReadLines(_rootfs, "/etc/shadow", "image 'x'"));
    }

    public void Dispose()
    {
        Directory.Delete(_rootfs, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }
}
