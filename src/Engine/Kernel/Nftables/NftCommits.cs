namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>A program the engine runs to change the ruleset for it (iptables-restore): known by its pid from its start.</summary>
public interface IChildProcesses
{
    void Started(int pid);
    void Exited(int pid);
}

/// <summary>
/// Tells the engine's own nftables transactions from everyone else's, so that whoever watches the kernel's notifications
/// (<see cref="NftEvents"/>) does not react to the engine's own changes and repairs. NFT_MSG_NEWGEN names the committing
/// task (nf_tables_gen_notify: NFTA_GEN_PROC_PID is task_pid_nr(current), the thread's id in the initial pid namespace):
/// a transaction is the engine's when a thread of this process committed it (libnftables runs in-process), or a program
/// the engine started for it (iptables-restore), for which the generation read after its exit bounds the ones it can
/// have made, so a later process that happens to get the same pid is not mistaken for it. Nothing here serialises the
/// engine's commits: a slow one (an iptables-restore over thousands of rules) never holds up the others.
/// <para>The thread check assumes the daemon runs in the initial pid namespace (as it does: it manages the host's
/// network); in another one its commits would look foreign, which costs a needless check each, never a missed one.</para>
/// <para>Thread-safe.</para>
/// </summary>
/// <param name="generation">Reads the current generation (null: unreadable).</param>
public sealed class NftCommits(Func<uint?> generation) : IChildProcesses
{
    /// <summary>Children remembered for the watcher; it reads their notifications within milliseconds.</summary>
    private const int RememberedChildren = 256;

    private readonly Lock _gate = new();
    /// <summary>pid → the generation after its exit (null while it runs).</summary>
    private readonly Dictionary<int, uint?> _children = [];
    private readonly Queue<int> _order = new();

    /// <summary>The current generation (null when it cannot be read).</summary>
    public uint? Generation() => generation();

    /// <summary>Runs one commit of this process (a libnftables batch) and returns the generation it produced when it was
    /// the only transaction in the namespace meanwhile (nf_tables_commit bumps the generation once per committed batch; a
    /// refused batch does not), else null. Exceptions from <paramref name="commit"/> pass through.</summary>
    public uint? Run(Action commit)
    {
        uint? before = generation();
        commit();
        uint? after = generation();
        return before is { } b && after is { } a && a == unchecked(b + 1) ? a : null;
    }

    public void Started(int pid)
    {
        lock (_gate)
        {
            if (!_children.ContainsKey(pid)) _order.Enqueue(pid);
            _children[pid] = null;
            while (_order.Count > RememberedChildren) _children.Remove(_order.Dequeue());
        }
    }

    public void Exited(int pid)
    {
        uint? after = generation() ?? uint.MaxValue;
        lock (_gate)
            if (_children.ContainsKey(pid)) _children[pid] = after;
    }

    /// <summary>Whether the engine made this transaction.</summary>
    public bool IsOwn(NftTransaction transaction)
    {
        int pid = transaction.ProcessId;
        if (pid <= 0) return false;
        lock (_gate)
        {
            if (_children.TryGetValue(pid, out var bound))
                return bound is not { } b || unchecked((int)(transaction.Generation - b)) <= 0;
        }
        return Directory.Exists($"/proc/self/task/{pid}");
    }
}
