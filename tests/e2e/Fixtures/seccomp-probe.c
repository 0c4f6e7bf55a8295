/*
 * seccomp-probe: makes the calls a container's seccomp filter decides on and prints one line per call,
 * "NAME RESULT", RESULT being "ok" or the errno's name (EPERM, ENOSYS, EINVAL...). Built static by the e2e tests
 * (the busybox image has no libc). Every call is harmless if it succeeds: nothing is kept, mounted or traced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, long rc)
{
    printf("%s %s\n", name, rc < 0 ? strerrorname_np(errno) : "ok");
}

static void *nothing(void *arg) { return arg; }

int main(void)
{
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, nothing, NULL);
    if (rc == 0) pthread_join(thread, NULL);
    else errno = rc;
    report("pthread_create", rc == 0 ? 0 : -1);

    pid_t child = fork();
    if (child == 0) _exit(0);
    if (child > 0) waitpid(child, NULL, 0);
    report("fork", child);

    /* clone with a namespace flag; a child, if one is made, exits at once. */
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    report("clone_newuser", pid);

    /* clone3 with a NULL struct: EFAULT if the kernel saw it, ENOSYS when the filter answers. */
    report("clone3", syscall(SYS_clone3, NULL, 0));
    report("unshare_newuser", syscall(SYS_unshare, CLONE_NEWUSER));
    report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
    report("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
    report("bpf", syscall(SYS_bpf, 0, NULL, 0));
    report("personality_query", syscall(SYS_personality, 0xffffffff));
    report("personality_no_randomize", syscall(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */));

    int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
    report("socket_netlink_audit", s);
    if (s >= 0) close(s);
    s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    report("socket_netlink_route", s);
    if (s >= 0) close(s);
    s = socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0);
    report("socket_alg", s);
    if (s >= 0) close(s);
    return 0;
}
