using System.Runtime.InteropServices;

namespace MyDocker.Engine.Kernel.Interop;

/// <summary>Calls the container runtime layer makes: the sync pipe handed to conmon, and liveness probes of pids.</summary>
internal static partial class Libc
{
    public const int F_SETFD = 2;

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    /// <summary>
    /// A pipe whose read end is close-on-exec and whose write end is inherited by the next child process
    /// (conmon's _OCI_SYNCPIPE). Every child spawned while the write end is open inherits it too, so the caller
    /// serialises spawns and closes its copy right after starting the child.
    /// </summary>
    public static unsafe (int Read, int Write) PipeWithInheritableWriteEnd()
    {
        int* fds = stackalloc int[2];
        Check(Pipe2(fds, O_CLOEXEC), "pipe2");
        if (Fcntl(fds[1], F_SETFD, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Close(fds[0]);
            Close(fds[1]);
            throw KernelException.FromErrno("fcntl(F_SETFD)", errno);
        }
        return (fds[0], fds[1]);
    }

    /// <summary>Whether a process with this pid exists (kill with signal 0; EPERM still means it exists).</summary>
    public static bool ProcessExists(int pid) =>
        pid > 0 && (SysKill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == KernelException.EPERM);

    /// <summary>Sends a signal; false when the process is already gone.</summary>
    public static bool SendSignal(int pid, int signal) => pid > 0 && SysKill(pid, signal) == 0;
}

internal static partial class Libc
{
    public const int O_RDWR = 2;
    private const int EINTR_ = 4;

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_init")]
    private static unsafe partial int SpawnFileActionsInit(byte* actions);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static unsafe partial int SpawnFileActionsDestroy(byte* actions);

    [LibraryImport(Lib, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int SpawnFileActionsAddOpen(byte* actions, int fd, string path, int flags, int mode);

    [LibraryImport(Lib, EntryPoint = "posix_spawn")]
    private static unsafe partial int PosixSpawn(out int pid, byte* path, byte* actions, byte* attr, byte** argv, byte** envp);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_init")]
    private static unsafe partial int SpawnAttrInit(byte* attr);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_destroy")]
    private static unsafe partial int SpawnAttrDestroy(byte* attr);

    [LibraryImport(Lib, EntryPoint = "posix_spawnattr_setflags")]
    private static unsafe partial int SpawnAttrSetFlags(byte* attr, short flags);

    /// <summary>glibc ≥ 2.26 (spawn.h): the child calls setsid(), so it leaves the daemon's session and process group.</summary>
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int O_CREAT = 0x40, O_APPEND = 0x400;

    [LibraryImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    /// <summary>
    /// Starts <paramref name="path"/> with stdin, stdout and stderr on /dev/null, the given environment only, and every
    /// fd of ours that is not close-on-exec (.NET opens all of its own with O_CLOEXEC, so: the ones we made inheritable).
    /// Used for conmon instead of <c>Process.Start</c>, which can only give a child the daemon's own stdio or .NET
    /// pipes, and a long-lived detached monitor must hold neither (FACTS.md). Returns the child's pid; reap it with
    /// <see cref="WaitForExit"/>. <paramref name="outputPath"/>: stdout and stderr appended to that file (mode 0600)
    /// instead. <paramref name="newSession"/>: the child runs setsid(), so a signal to the daemon's process group (a
    /// terminal's Ctrl-C) does not reach it.
    /// </summary>
    public static unsafe int SpawnDetached(string path, IReadOnlyList<string> args, IReadOnlyList<string> env,
        string? outputPath = null, bool newSession = false)
    {
        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on x86_64 and aarch64; these leave room.
        byte* actions = stackalloc byte[256];
        byte* attr = stackalloc byte[512];
        if (SpawnFileActionsInit(actions) is var init and not 0) throw KernelException.FromErrno("posix_spawn_file_actions_init", init);
        if (SpawnAttrInit(attr) is var attrInit and not 0)
        {
            SpawnFileActionsDestroy(actions);
            throw KernelException.FromErrno("posix_spawnattr_init", attrInit);
        }
        var strings = new List<nint>();
        try
        {
            if (newSession && SpawnAttrSetFlags(attr, POSIX_SPAWN_SETSID) is var flagsRc and not 0)
                throw KernelException.FromErrno("posix_spawnattr_setflags", flagsRc);
            for (var fd = 0; fd <= 2; fd++)
            {
                var rc = fd > 0 && outputPath is not null
                    ? SpawnFileActionsAddOpen(actions, fd, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0x180)
                    : SpawnFileActionsAddOpen(actions, fd, "/dev/null", O_RDWR, 0);
                if (rc != 0) throw KernelException.FromErrno("posix_spawn_file_actions_addopen", rc);
            }
            byte* Utf8(string s) { var p = Marshal.StringToCoTaskMemUTF8(s); strings.Add(p); return (byte*)p; }
            var argv = stackalloc byte*[args.Count + 2];
            argv[0] = Utf8(path);
            for (var i = 0; i < args.Count; i++) argv[i + 1] = Utf8(args[i]);
            argv[args.Count + 1] = null;
            var envp = stackalloc byte*[env.Count + 1];
            for (var i = 0; i < env.Count; i++) envp[i] = Utf8(env[i]);
            envp[env.Count] = null;
            var err = PosixSpawn(out var pid, argv[0], actions, attr, argv, envp);
            if (err != 0) throw KernelException.FromErrno("posix_spawn", err, path);
            return pid;
        }
        finally
        {
            SpawnFileActionsDestroy(actions);
            SpawnAttrDestroy(attr);
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Blocks until the child exits and returns its exit status (128+signal when killed).</summary>
    public static int WaitForExit(int pid)
    {
        while (true)
        {
            if (WaitPid(pid, out var status, 0) >= 0)
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR_) throw KernelException.FromErrno("waitpid", errno, $"pid {pid}");
        }
    }
}
