namespace MyDocker.Engine.Containers.Security;

/// <summary>
/// MyDocker's default seccomp profile: an allow-list, everything else EPERM. Docker's default profile is the anchor
/// (moby profiles/seccomp/default.json and default_linux.go, Apache-2.0; containers/common pkg/seccomp/seccomp.json for
/// Podman's variant): the same calls are allowed, regrouped here by purpose, with the same capability conditions, so a
/// capability added with --cap-add brings back the calls Docker ties to it. What it keeps out of a container that holds
/// only the default capabilities: new namespaces (unshare, setns, clone with CLONE_NEW*, clone3), mount and the new mount
/// API, kernel keyrings (keyctl, add_key, request_key: not namespaced), bpf, perf_event_open, userfaultfd, io_uring_*
/// (Docker ≥ 25), kcmp and ptrace-like calls on others (without CAP_SYS_PTRACE), personality other than the harmless
/// values, module loading, kexec, swapon, reboot, clock setting, AF_ALG and AF_VSOCK sockets.
/// </summary>
public static class DefaultSeccompProfile
{
    private const uint EPERM = 1, EINVAL = 22, ENOSYS = 38;

    /// <summary>Socket families and the netlink protocol the socket rules name (include/linux/socket.h, netlink.h).</summary>
    private const ulong AF_NETLINK = 16, AF_ALG = 38, AF_VSOCK = 40, NETLINK_AUDIT = 9;

    /// <summary>CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: a clone with any of these makes namespaces.</summary>
    private const ulong NamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    private static readonly string[] Files =
    [
        "access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat", "dup", "dup2",
        "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir", "fchmod", "fchmodat",
        "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "flock", "fstat", "fstat64",
        "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
        "getdents64", "ioctl", "lchown", "lchown32", "link", "linkat", "_llseek", "lseek", "lstat", "lstat64", "mkdir",
        "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "pread64", "preadv",
        "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "rename",
        "renameat", "renameat2", "rmdir", "sendfile", "sendfile64", "splice", "stat", "stat64", "statfs", "statfs64",
        "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64", "umask",
        "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice", "write", "writev",
        "cachestat", "listmount", "statmount",
        // Extended attributes.
        "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "getxattr", "getxattrat", "lgetxattr", "listxattr",
        "listxattrat", "llistxattr", "lremovexattr", "lsetxattr", "removexattr", "removexattrat", "setxattr", "setxattrat",
    ];

    /// <summary>Pipes, waiting for events, and Linux AIO. io_uring is left out (Docker ≥ 25): the operations it runs are
    /// never seen by seccomp, and it has been a steady source of kernel exploits.</summary>
    private static readonly string[] Events =
    [
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
        "epoll_wait_old", "eventfd", "eventfd2", "pipe", "pipe2", "fanotify_mark", "inotify_add_watch", "inotify_init",
        "inotify_init1", "inotify_rm_watch", "_newselect", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64",
        "select", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
        "io_setup", "io_submit", "ioprio_get", "ioprio_set",
    ];

    private static readonly string[] Processes =
    [
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "vfork", "get_robust_list",
        "set_robust_list", "get_thread_area", "set_thread_area", "set_tid_address", "getpid", "getppid", "gettid",
        "getpgid", "getpgrp", "getsid", "setpgid", "setsid", "getpriority", "setpriority", "getrlimit", "setrlimit",
        "prlimit64", "ugetrlimit", "getrusage", "kill", "tgkill", "tkill", "pidfd_open", "pidfd_send_signal", "prctl",
        "rseq", "restart_syscall", "wait4", "waitid", "waitpid", "seccomp", "landlock_add_rule",
        "landlock_create_ruleset", "landlock_restrict_self", "membarrier", "process_mrelease", "futex", "futex_time64",
        "futex_requeue", "futex_wait", "futex_waitv", "futex_wake", "uretprobe", "map_shadow_stack", "riscv_hwprobe",
        // Credentials (the kernel checks CAP_SETUID/CAP_SETGID).
        "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getuid", "getuid32", "setfsgid", "setfsgid32", "setfsuid",
        "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
        // Signals and interval timers.
        "alarm", "pause", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sigaltstack", "sigprocmask",
        "sigreturn", "getitimer", "setitimer",
        // Scheduling.
        "getcpu", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
        "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    ];

    private static readonly string[] Memory =
    [
        "brk", "madvise", "memfd_create", "memfd_secret", "mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
        "mprotect", "mremap", "mseal", "msync", "munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free",
        "pkey_mprotect", "remap_file_pages",
    ];

    /// <summary>Reading clocks; adjtimex and clock_adjtime only read without CAP_SYS_TIME (the kernel checks).</summary>
    private static readonly string[] Time =
    [
        "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
        "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "gettimeofday", "nanosleep", "time", "times",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
        "timer_settime64",
    ];

    /// <summary>Sockets once made (socket itself has rules of its own), SysV and POSIX IPC, system information.</summary>
    private static readonly string[] Communication =
    [
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv", "recvfrom",
        "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
        "socketcall", "socketpair",
        "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
        "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop",
        "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
        "getrandom", "sysinfo", "uname",
    ];

    /// <summary>Calls allowed only with a capability, as Docker ties them (the kernel checks the same capability, but
    /// these calls have had bugs reachable before that check).</summary>
    private static readonly (string Capability, string[] Names)[] ByCapability =
    [
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYS_ADMIN", ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
            "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount", "mount_setattr",
            "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
            "setns", "syslog", "umount", "umount2", "unshare"]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["delete_module", "init_module", "finit_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_PTRACE", ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
    ];

    /// <summary>The profile, conditions not yet evaluated (see <see cref="SeccompProfile.Compile"/>).</summary>
    public static readonly SeccompProfile Profile = Build();

    private static SeccompProfile Build()
    {
        var rules = new List<SeccompRule>
        {
            new([.. Files, .. Events, .. Processes, .. Memory, .. Time, .. Communication], Allow),
            // ptrace of one's own processes: safe since Linux 4.8, where seccomp is re-checked after a tracer changes a
            // call (moby#33817); strace and gdb then work in a container.
            new(["process_vm_readv", "process_vm_writev", "ptrace"], Allow, Includes: new SeccompFilter(MinKernel: new Version(4, 8))),
        };
        rules.AddRange(SocketRules());
        // personality(2): only Linux, 32-bit Linux, UNAME26 and their mix, and the query 0xffffffff (moby); other
        // personalities change the address-space layout (ADDR_NO_RANDOMIZE) or emulate other systems.
        foreach (ulong persona in new ulong[] { 0x0, 0x0008, 0x20000, 0x20008, 0xffffffff })
            rules.Add(new(["personality"], Allow, Args: [new SeccompArg(0, persona, 0, "SCMP_CMP_EQ")]));
        rules.Add(new(["arch_prctl"], Allow, Includes: new SeccompFilter(Arches: ["amd64", "x32"])));
        rules.Add(new(["modify_ldt"], Allow, Includes: new SeccompFilter(Arches: ["amd64", "x32", "x86"])));
        rules.Add(new(["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
            Allow, Includes: new SeccompFilter(Arches: ["arm", "arm64"])));
        foreach (var (capability, names) in ByCapability)
            rules.Add(new(names, Allow, Includes: new SeccompFilter(Caps: [capability])));
        // Without CAP_SYS_ADMIN: fork and threads, but no namespaces. clone's flags are an argument the filter can test;
        // clone3's are in a struct it cannot read, so clone3 answers ENOSYS and glibc falls back to clone (moby#42680).
        rules.Add(new(["clone"], Allow, Args: [new SeccompArg(0, NamespaceFlags, 0, "SCMP_CMP_MASKED_EQ")],
            Excludes: new SeccompFilter(Caps: ["CAP_SYS_ADMIN"])));
        rules.Add(new(["clone3"], Errno, ENOSYS, Excludes: new SeccompFilter(Caps: ["CAP_SYS_ADMIN"])));
        return new SeccompProfile(Errno, EPERM, [],
            [new SeccompArchMap("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]), new SeccompArchMap("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"])],
            [], rules);
    }

    /// <summary>
    /// socket(2) for every family but AF_ALG (kernel crypto) and AF_VSOCK (host–guest sockets), as moby's profile.
    /// Without CAP_AUDIT_WRITE, an audit netlink socket answers EINVAL, which libaudit reads as "no audit in this
    /// kernel" and carries on (su, sshd, useradd); an EPERM from the kernel's own check would fail them
    /// (containers/common seccomp.json, from Fedora's rules). The rules never overlap, so their order does not matter.
    /// Arguments: 0 is the family, 2 the protocol.
    /// </summary>
    private static IEnumerable<SeccompRule> SocketRules()
    {
        var withAudit = new SeccompFilter(Caps: ["CAP_AUDIT_WRITE"]);
        yield return new(["socket"], Allow, Args: [Cmp(0, AF_ALG, "SCMP_CMP_LT")], Includes: withAudit);
        yield return new(["socket"], Errno, EINVAL, [Cmp(0, AF_NETLINK, "SCMP_CMP_EQ"), Cmp(2, NETLINK_AUDIT, "SCMP_CMP_EQ")], Excludes: withAudit);
        yield return new(["socket"], Allow, Args: [Cmp(0, AF_NETLINK, "SCMP_CMP_LT")], Excludes: withAudit);
        yield return new(["socket"], Allow, Args: [Cmp(0, AF_ALG, "SCMP_CMP_LT"), Cmp(2, NETLINK_AUDIT, "SCMP_CMP_NE")], Excludes: withAudit);
        yield return new(["socket"], Allow, Args: [Cmp(0, AF_ALG + 1, "SCMP_CMP_EQ")]);
        yield return new(["socket"], Allow, Args: [Cmp(0, AF_VSOCK, "SCMP_CMP_GT")]);
    }

    private static SeccompArg Cmp(uint index, ulong value, string op) => new(index, value, 0, op);

    private const string Allow = "SCMP_ACT_ALLOW", Errno = "SCMP_ACT_ERRNO";
}
