using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Kernel.Namespaces;

/// <summary>
/// Runs code inside another network namespace. setns(2) changes the namespace of the calling thread only, so the
/// work runs on a dedicated thread that is discarded afterwards and never returns to the thread pool in the wrong
/// namespace (the same reason containernetworking/plugins pkg/ns locks the OS thread).
/// Sockets and libnftables contexts created inside stay bound to that namespace and may then be used from any thread.
/// </summary>
public static class NetnsThread
{
    /// <summary>Runs <paramref name="work"/> in the network namespace at <paramref name="netnsPath"/> (e.g. /run/netns/NAME).</summary>
    public static T Run<T>(string netnsPath, Func<T> work)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var fd = Libc.CheckFd(Libc.Open(netnsPath, Libc.O_RDONLY | Libc.O_CLOEXEC), "open netns", netnsPath))
                    Libc.Check(Libc.SetNs(fd.Fd, Libc.CLONE_NEWNET), "setns", netnsPath);
                result = work();
            }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true, Name = "netns " + netnsPath };
        thread.Start();
        thread.Join();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return result!;
    }
}
