namespace MyDocker.Web.Dashboard.Topology;

/// <summary>
/// A page's probes of published ports, by the page's key for each port: absent before any probe, null while one runs,
/// then its answer (a probe that fails says why, as "no answer"). The state behind the container page's and the
/// topology's probe buttons. Dispose when the page closes: probes still running are cancelled and leave no answer.
/// Not thread-safe: the page uses it from its dispatcher.
/// </summary>
public sealed class PortProbes : IDisposable
{
    private readonly Dictionary<string, PortProbe?> _results = [];
    private readonly CancellationTokenSource _closed = new();

    /// <summary>True with the answer (null: still probing) once <paramref name="key"/> was probed.</summary>
    public bool TryGet(string key, out PortProbe? probe) => _results.TryGetValue(key, out probe);

    public bool IsRunning(string key) => _results.TryGetValue(key, out var p) && p is null;

    /// <summary>Runs <paramref name="probe"/> for <paramref name="key"/>; <paramref name="changed"/> is called when it
    /// starts and when its answer is in (the page renders).</summary>
    public async Task RunAsync(string key, Func<CancellationToken, Task<PortProbe>> probe, Action changed)
    {
        _results[key] = null;
        changed();
        try { _results[key] = await probe(_closed.Token); }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested) { return; } // the page closed
        catch (Exception e) { _results[key] = new PortProbe(false, e.Message); }
        changed();
    }

    public void Dispose() => _closed.Cancel();
}
