using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>The removed networks' accept rules, deleted in the background (see <see cref="CloseBridge"/>).</summary>
public sealed partial class ForeignFirewall
{
    /// <summary>Bridges whose rules are to be deleted (<see cref="CloseBridge"/>), with how many copies.</summary>
    private readonly Dictionary<string, int> _closing = new(StringComparer.Ordinal);
    private readonly Channel<bool> _closingSignal = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task _closer = Task.CompletedTask;
    private long _lastClose;

    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1);

    /// <summary>False: <see cref="CloseBridge"/> only queues, and <see cref="DeleteClosed"/> deletes (unit tests).</summary>
    internal bool DeleteInBackground { get; init; } = true;

    /// <summary>
    /// A removed network's bridge: its accept rules, when the engine put them there, are deleted in the background, after
    /// a quiet moment (<see cref="QuietPeriod"/>, at most <see cref="MaxDelay"/>), several bridges in one iptables-restore
    /// run. Deleting by specification makes iptables read the whole chain (~90 ms at 3,000 rules), which would make every
    /// `network rm` grow with the number of networks. Until then the rules are inert, like the retired bridge device they
    /// name (see <see cref="LinkReaper"/>): it has no address left, and a new network that reuses the name gets its own
    /// copy of the rules (and the deletion takes one copy).
    /// </summary>
    public void CloseBridge(string bridge)
    {
        string b = FirewallNames.Bridge(bridge);
        lock (_gate)
        {
            if (!_opened.Remove(b)) return;
            _closing[b] = _closing.GetValueOrDefault(b) + 1;
            _lastClose = Environment.TickCount64;
            if (DeleteInBackground && _closer.IsCompleted && !_stopping.IsCancellationRequested) _closer = Task.Run(DeleteClosedLoopAsync);
        }
        _closingSignal.Writer.TryWrite(true);
    }

    /// <summary>Deletes the rules <see cref="CloseBridge"/> queued, now (the background loop, and tests). The iptables run
    /// holds no lock a create needs; a full <see cref="Open(IReadOnlyCollection{string})"/> waits for it.</summary>
    internal void DeleteClosed()
    {
        Dictionary<string, int> batch;
        lock (_gate)
        {
            if (_closing.Count == 0) return;
            batch = new(_closing, StringComparer.Ordinal);
            _closing.Clear();
        }
        var remove = batch.SelectMany(kv => Enumerable.Repeat(kv.Key, kv.Value)).SelectMany(b => IptablesRules.All.Select(k => (k, b))).ToList();
        bool done;
        _applying.Wait();
        try
        {
            Change([], remove, batch.Keys);
            done = true;
        }
        catch (EngineException e) when (e.InnerException is not ProgramNotFoundException) { done = false; }
        finally { _applying.Release(); }
        if (!done)
        {
            // Some are gone already (deleted by hand, or by a full Open meanwhile), and one missing rule fails the whole
            // run: delete what is there, one copy of each rule fewer for a bridge opened again meanwhile.
            lock (_gate)
            {
                _applying.Wait();
                try
                {
                    remove = ListForward().Tagged.Where(t => batch.ContainsKey(t.Bridge)).GroupBy(t => (t.Kind, t.Bridge))
                        .SelectMany(g => g.Skip(_opened.Contains(g.Key.Bridge) ? 1 : 0)).Select(t => (t.Kind, t.Bridge)).ToList();
                    Change([], remove, batch.Keys);
                }
                finally { _applying.Release(); }
            }
        }
        Report(remove, added: false);
    }

    private async Task DeleteClosedLoopAsync()
    {
        await foreach (var _ in _closingSignal.Reader.ReadAllAsync())
        {
            long queuedAt = Environment.TickCount64;
            while (!_stopping.IsCancellationRequested
                   && Environment.TickCount64 - Volatile.Read(ref _lastClose) < QuietPeriod.TotalMilliseconds
                   && Environment.TickCount64 - queuedAt < MaxDelay.TotalMilliseconds)
            {
                try { await Task.Delay(QuietPeriod / 4, _stopping.Token); } catch (OperationCanceledException) { }
            }
            try { DeleteClosed(); }
            catch (Exception e)
            {
                // Not lost: the rules carry our tag and name a bridge no network has, so the next full check deletes them.
                _log.LogWarning("Deleting the accept rules of removed networks from iptables' FORWARD chain failed: {Error}", e.Message);
            }
        }
    }

    /// <summary>Stops the background deletion after doing what is queued (a clean stop leaves no rule behind).</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _closingSignal.Writer.TryComplete();
        await _closer;
    }
}
