namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Where the runtime layer keeps its state. All directories live under the exec root (tmpfs): they describe running
/// processes, which do not survive a reboot. <see cref="FromExecRoot"/> gives the standard layout.
/// </summary>
/// <param name="RuncRoot">runc's --root: one directory per container with its state.json.</param>
/// <param name="ExitDir">conmon's --exit-dir: a file named after the container holding its exit code.</param>
/// <param name="MonitorDir">One directory per container: conmon's pid file and its --persist-dir (exit, oom).</param>
/// <param name="SocketDir">conmon's --socket-dir-path (attach sockets).</param>
/// <param name="CgroupParent">cgroups are "/{CgroupParent}/{id}" in every hierarchy.</param>
public sealed record RuntimeOptions(
    string RuncRoot,
    string ExitDir,
    string MonitorDir,
    string SocketDir,
    string CgroupParent = RuntimeOptions.DefaultCgroupParent,
    string RuntimePath = "/usr/sbin/runc",
    string ConmonPath = "/usr/bin/conmon")
{
    public const string DefaultCgroupParent = "mydocker";

    public static RuntimeOptions FromExecRoot(string execRoot, string cgroupParent = DefaultCgroupParent) => new(
        RuncRoot: Path.Combine(execRoot, "runc"),
        ExitDir: Path.Combine(execRoot, "exits"),
        MonitorDir: Path.Combine(execRoot, "monitors"),
        SocketDir: Path.Combine(execRoot, "sockets"),
        CgroupParent: cgroupParent);
}
