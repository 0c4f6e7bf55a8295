using System.Threading.Channels;

namespace MyDocker.Engine.Containers.Runtime;

/// <summary>
/// Reports container ids whose exit record appeared in <see cref="RuntimeOptions.ExitDir"/>, through
/// <see cref="Exits"/>. inotify (FileSystemWatcher) wakes it; since events can be missed (the daemon was down, the
/// inotify queue overflowed), <see cref="Rescan"/> reports every record present, and the watcher rescans by itself
/// after an overflow. An id may be reported more than once: consumers treat a report as "look at this container".
/// conmon writes the record as a temp file "ID.XXXXXX" renamed to "ID", so names with a dot are ignored.
/// Dispose stops watching and completes the channel.
/// </summary>
public sealed class ExitWatcher : IDisposable
{
    private readonly string _dir;
    private readonly FileSystemWatcher _watcher;
    private readonly Channel<string> _exits = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });

    public ExitWatcher(RuntimeOptions options)
    {
        _dir = options.ExitDir;
        Directory.CreateDirectory(_dir, Common.PrivateDirectory.Mode);
        _watcher = new FileSystemWatcher(_dir) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite, IncludeSubdirectories = false };
        _watcher.Created += (_, e) => Report(e.Name);
        _watcher.Renamed += (_, e) => Report(e.Name);
        _watcher.Changed += (_, e) => Report(e.Name);
        _watcher.Error += (_, _) => Rescan();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Ids of containers with a new exit record. Never completes until disposal.</summary>
    public ChannelReader<string> Exits => _exits.Reader;

    /// <summary>Reports every exit record present now; returns their ids.</summary>
    public IReadOnlyList<string> Rescan()
    {
        var ids = Directory.Exists(_dir)
            ? Directory.EnumerateFiles(_dir).Select(Path.GetFileName).OfType<string>().Where(IsId).ToList()
            : [];
        foreach (var id in ids) _exits.Writer.TryWrite(id);
        return ids;
    }

    /// <summary>Reports <paramref name="id"/> again if its exit record exists (the reconciler's nudge).</summary>
    public void Recheck(string id) => Report(id);

    private void Report(string? name)
    {
        if (name is not null && IsId(name) && File.Exists(Path.Combine(_dir, name))) _exits.Writer.TryWrite(name);
    }

    private static bool IsId(string name) => name.Length > 0 && !name.Contains('.');

    public void Dispose()
    {
        _watcher.Dispose();
        _exits.Writer.TryComplete();
    }
}
