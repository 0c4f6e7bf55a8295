namespace MyDocker.Engine.Common;

/// <summary>
/// An async readers-writer lock: any number of shared holders at once, or one exclusive holder. A waiting exclusive
/// holder stops new shared ones from entering (it goes through a turnstile they must pass), so a steady stream of
/// shared holders cannot starve it (the "no-starve readers-writers" solution, Downey, The Little Book of Semaphores §4.2).
/// Holders release by disposing what they were given; no re-entry.
/// </summary>
public sealed class SharedExclusiveLock
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly SemaphoreSlim _roomEmpty = new(1, 1);
    private readonly SemaphoreSlim _readerCount = new(1, 1);
    private int _readers;

    public async Task<IDisposable> SharedAsync(CancellationToken ct = default)
    {
        await _turnstile.WaitAsync(ct);
        _turnstile.Release();
        await _readerCount.WaitAsync(ct);
        try
        {
            if (_readers == 0) await _roomEmpty.WaitAsync(ct);
            _readers++;
        }
        finally { _readerCount.Release(); }
        return new Releaser(() =>
        {
            _readerCount.Wait();
            try { if (--_readers == 0) _roomEmpty.Release(); }
            finally { _readerCount.Release(); }
        });
    }

    public async Task<IDisposable> ExclusiveAsync(CancellationToken ct = default)
    {
        await _turnstile.WaitAsync(ct);
        try { await _roomEmpty.WaitAsync(ct); }
        catch
        {
            _turnstile.Release();
            throw;
        }
        return new Releaser(() =>
        {
            _roomEmpty.Release();
            _turnstile.Release();
        });
    }

    private sealed class Releaser(Action release) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) release(); }
    }
}
