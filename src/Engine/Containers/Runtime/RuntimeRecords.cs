namespace MyDocker.Engine.Containers.Runtime;

/// <summary>runc's view of a container (`runc state`). <see cref="Status"/> is "created", "running", "paused" or "stopped".</summary>
public sealed record RuntimeState(string Id, string Status, int Pid, string Bundle, DateTimeOffset? Created)
{
    public bool IsRunning => Status is "running" or "paused";
}

/// <summary>
/// How a container's process ended, as conmon recorded it. <see cref="FinishedAt"/> is the exit file's mtime;
/// <see cref="OomKilled"/> is true when conmon saw the kernel's OOM killer act in the container's memory cgroup
/// (the "oom" file conmon writes in its --persist-dir; it survives the cgroup's removal).
/// </summary>
public sealed record ExitInfo(int ExitCode, DateTimeOffset FinishedAt, bool OomKilled);

/// <summary>How conmon connects the container's stdio: <paramref name="Terminal"/> gives it a pty (-t), <paramref name="Stdin"/>
/// a stdin pipe fed from the attach socket (-i), which stays open after a client detaches with <paramref name="KeepStdinOpen"/>.
/// Its output goes to the log, which conmon starts afresh before it would grow past <paramref name="LogSizeMax"/> bytes
/// (--log-size-max; null: no limit).</summary>
public sealed record StdioOptions(bool Terminal = false, bool Stdin = false, bool KeepStdinOpen = false, long? LogSizeMax = null);
