using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.UnitTests.Kernel;

/// <summary>errno → exception type (only the values callers branch on get a type) and the message text every type
/// keeps; no root.</summary>
public class KernelExceptionTests
{
    [Theory]
    [InlineData(KernelException.ENOENT, typeof(KernelNotFoundException))]
    [InlineData(KernelException.ENODEV, typeof(KernelNotFoundException))]
    [InlineData(KernelException.EEXIST, typeof(KernelExistsException))]
    [InlineData(KernelException.EBUSY, typeof(KernelException))]
    [InlineData(KernelException.ESRCH, typeof(KernelException))]
    [InlineData(KernelException.EADDRNOTAVAIL, typeof(KernelException))]
    [InlineData(KernelException.EPERM, typeof(KernelException))]
    public void FromErrno_gives_the_type_callers_catch(int errno, Type expected)
    {
        var e = KernelException.FromErrno("delete interface", errno, "br-x");

        Assert.IsType(expected, e);
        Assert.Equal(errno, e.Errno);
        Assert.Equal("delete interface", e.Operation);
    }

    [Fact]
    public void Message_is_operation_strerror_errno_and_detail_whatever_the_type()
    {
        Assert.Equal("delete interface: No such device (errno 19) (br-x)",
            KernelException.FromErrno("delete interface", KernelException.ENODEV, "br-x").Message);
        Assert.Equal("create bridge: File exists (errno 17)",
            KernelException.FromErrno("create bridge", KernelException.EEXIST).Message);
        Assert.Equal("unmount network namespace: Device or resource busy (errno 16) (/run/x)",
            KernelException.FromErrno("unmount network namespace", KernelException.EBUSY, "/run/x").Message);
    }

    [Fact]
    public void Check_of_a_failed_open_throws_not_found_naming_the_path()
    {
        const string path = "/proc/self/no-such-entry";

        var e = Assert.Throws<KernelNotFoundException>(() =>
            Libc.CheckFd(Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC), "open", path));

        Assert.Equal(KernelException.ENOENT, e.Errno);
        Assert.EndsWith($"({path})", e.Message);
    }
}
