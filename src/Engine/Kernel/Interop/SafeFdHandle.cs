using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Owns a file descriptor and closes it exactly once, even while another thread is inside a call using it.</summary>
internal sealed class SafeFdHandle : SafeHandle
{
    public SafeFdHandle() : base(invalidHandleValue: -1, ownsHandle: true) { }

    public SafeFdHandle(int fd) : this() => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
