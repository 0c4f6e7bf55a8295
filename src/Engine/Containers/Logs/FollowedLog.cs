using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Containers.Logs;

/// <summary>
/// A log file followed by its path: opened once it exists, and given up for the new one when conmon replaces it. With
/// --log-size-max, conmon closes the full log, creates "LOG.tmp" and renames it over the log (reopen_k8s_file in
/// conmon's src/ctr_logging.c), so a reader holding the old handle would go on reading a deleted file; Podman's reader
/// reopens by name the same way (tail's ReOpen). Not thread-safe.
/// </summary>
internal sealed class FollowedLog(string path, Func<string, Stream?> open) : IDisposable
{
    private Libc.FileId? _id;

    /// <summary>The open file, or null.</summary>
    public Stream? File { get; private set; }

    /// <summary>The file, opened now if it was not (null while it does not exist).</summary>
    public Stream? TryOpen()
    {
        if (File is null && (File = open(path)) is FileStream fs) _id = Libc.IdOf(fs.SafeFileHandle);
        return File;
    }

    /// <summary>Whether the path now names another file than the open one. Ask once the open file is read to its end,
    /// read it to its end once more (writes made just before the switch), then <see cref="Close"/> it.</summary>
    public bool Replaced() => File is not null && _id is { } id && Libc.IdOf(path) is { } now && now != id;

    /// <summary>Closes the file; the next <see cref="TryOpen"/> opens what the path names then.</summary>
    public void Close()
    {
        File?.Dispose();
        File = null;
        _id = null;
    }

    public void Dispose() => Close();
}
