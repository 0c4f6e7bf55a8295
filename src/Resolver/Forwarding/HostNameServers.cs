using System.Net;

namespace MyDocker.Resolver.Forwarding;

/// <summary>
/// The host's name servers, from the <c>--resolv-conf</c> file: its <c>nameserver</c> lines minus loopback ones
/// (127.0.0.0/8, ::1: systemd-resolved's 127.0.0.53 is the host's own stub, not reachable for what we forward on a
/// container's behalf in its terms; aardvark-dns #248, #535). Re-read when the file's mtime changes, checked at most
/// once a second, so a host that changes networks is followed without a restart (moby #25452: containers kept the
/// old servers). Thread-safe.
/// </summary>
public sealed class HostNameServers(string path, Action<string> log, TimeProvider? time = null)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private IPAddress[] _servers = [];
    private DateTime _modified = DateTime.MinValue;
    private long? _checkedAt;

    public string Path { get; } = path;

    public IReadOnlyList<IPAddress> Current()
    {
        lock (_gate)
        {
            if (_checkedAt is { } checkedAt && _time.GetElapsedTime(checkedAt) < CheckEvery) return _servers;
            _checkedAt = _time.GetTimestamp();
            var modified = File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : DateTime.MinValue;
            if (modified == _modified) return _servers;
            _modified = modified;
            _servers = modified == DateTime.MinValue ? [] : Read();
            log($"host name servers from {Path}: {(_servers.Length == 0 ? "none (unknown names get SERVFAIL)" : string.Join(' ', _servers.Select(s => s.ToString())))}");
            return _servers;
        }
    }

    private IPAddress[] Read()
    {
        try
        {
            return Parse(File.ReadAllText(Path));
        }
        catch (IOException e)
        {
            log($"cannot read {Path}: {e.Message}; keeping no host name servers until it changes");
            return [];
        }
    }

    /// <summary>The non-loopback <c>nameserver</c> addresses of a resolv.conf text, in order (resolv.conf(5)).</summary>
    public static IPAddress[] Parse(string text)
    {
        var servers = new List<IPAddress>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields is not ["nameserver", var value, ..]) continue;
            if (IPAddress.TryParse(value, out var address) && !IPAddress.IsLoopback(address) && !servers.Contains(address)) servers.Add(address);
        }
        return [.. servers];
    }
}
