namespace MyDocker.Web.Dashboard.Hosting;

/// <summary>
/// The dashboard requests in flight, by session — above all each page's circuit WebSocket, which lives as long as the
/// page — so that ending a session ends them: at its expiry (one timer per request), at its logout, and when every
/// session is revoked. Aborting the connection disconnects the circuit; its reconnection then meets the gate, which
/// refuses it, and the page reloads into the gate's explanation (dashboard.js). Thread-safe.
/// </summary>
public sealed class LiveSessions : IDisposable
{
    private readonly DashboardAccess _access;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly HashSet<Entry> _entries = [];

    public LiveSessions(DashboardAccess access, TimeProvider? time = null)
    {
        _access = access;
        _time = time ?? TimeProvider.System;
        access.Revoked += OnRevoked;
    }

    /// <summary>Requests being tracked now.</summary>
    public int Count { get { lock (_lock) return _entries.Count; } }

    /// <summary>Calls <paramref name="abort"/> (HttpContext.Abort) if the session ends before the returned handle is
    /// disposed; dispose it when the request ends. Abort runs under the lock, so it never reaches a request whose handle
    /// was disposed (Kestrel reuses a connection's HttpContext for its next request).</summary>
    public IDisposable Track(DashboardSession session, Action abort)
    {
        var entry = new Entry(this, session.Id, abort);
        lock (_lock) _entries.Add(entry);
        var due = session.ExpiresAt - _time.GetUtcNow();
        entry.Timer = _time.CreateTimer(_ => Abort(e => e == entry), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return entry;
    }

    private void OnRevoked(string? id) => Abort(e => id is null || e.SessionId == id);

    private void Abort(Func<Entry, bool> which)
    {
        lock (_lock)
        {
            foreach (var e in _entries.Where(which).ToList())
            {
                _entries.Remove(e);
                e.Abort();
            }
        }
    }

    public void Dispose() => _access.Revoked -= OnRevoked;

    private sealed class Entry(LiveSessions owner, string sessionId, Action abort) : IDisposable
    {
        public string SessionId => sessionId;
        public ITimer? Timer { get; set; }
        public void Abort() => abort();

        public void Dispose()
        {
            Timer?.Dispose();
            lock (owner._lock) owner._entries.Remove(this);
        }
    }
}
