using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine.Kernel.Nftables;
using MyDocker.Engine.Networks.Firewall;
using MyDocker.Engine.Networks.Firewall.Foreign;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Firewall;

/// <summary>
/// What the firewall watch does with the kernel's notifications, over fakes: the engine's table (NftFirewall on a fake
/// nft whose listing always shows the table missing, so every check repairs) and iptables (a fake runner whose listing
/// has none of our rules under a drop policy).
/// </summary>
public class FirewallWatchTests
{
    private const string ListTable = "list table ip mydocker";
    private static readonly FirewallNetwork A = new("md-a", "10.0.0.0/24", false);
    private static readonly int OurThread = int.Parse(Path.GetFileName(Directory.GetDirectories("/proc/self/task")[0]));
    private const int Someone = int.MaxValue - 11;

    private readonly FakeNftExecutor _nft = new();
    private readonly FakeProgramRunner _iptables = new((program, _) =>
        new ProgramResult(0, program == "iptables" ? "-P FORWARD DROP\n" : "", ""));
    private readonly ManualTime _time = new();
    private readonly FirewallWatch _watch;
    private readonly Events _events = new();

    public FirewallWatchTests()
    {
        var firewall = new NftFirewall(_nft);
        firewall.Rebuild([A]);
        _nft.On(ListTable, """{"nftables": [{"metainfo": {"version": "1.0.6"}}]}""");
        var foreign = new ForeignFirewall(_nft, _iptables, () => new NftChainInfo("forward", "drop")) { DeleteInBackground = false };
        _watch = new FirewallWatch(firewall, foreign, new NftCommits(() => 1), () => _events, NullLogger<FirewallWatch>.Instance, _time);
    }

    private int TableListings => _nft.Batches.Count(b => b.Commands == ListTable);
    private int IptablesListings => _iptables.Lines.Count(l => l.EndsWith("-S FORWARD", StringComparison.Ordinal));

    private static NftChanges By(int pid, string process, params NftTableName[] tables) =>
        new([new NftTransaction(7, pid, process, tables.ToHashSet())], Lost: false);

    private static readonly NftTableName Ours = new("ip", "mydocker"), IptablesTable = new("ip", "filter"), Other = new("inet", "other");

    [Fact]
    public void It_checks_both_once_at_start_then_only_what_someone_else_changed_and_never_after_its_own_changes()
    {
        _events.Queue(By(OurThread, ".NET TP Worker", Ours, IptablesTable));   // the engine's own commit
        _events.Queue(By(Someone, "nft", Ours));                                  // an nft flush ruleset
        _events.Queue(By(Someone, "firewalld", Other));                           // someone else's table only
        _events.Queue(By(Someone, "iptables", IptablesTable));                    // iptables -P FORWARD DROP
        _watch.Run(_events.StopWhenEmpty());

        Assert.Equal(2, TableListings);       // start, nft
        Assert.Equal(2, IptablesListings);    // start, iptables
        Assert.True(_events.Disposed);
    }

    [Fact]
    public void Lost_notifications_make_it_check_everything()
    {
        _events.Queue(new NftChanges([], Lost: true));
        _watch.Run(_events.StopWhenEmpty());
        Assert.Equal(2, TableListings);
        Assert.Equal(2, IptablesListings);
    }

    [Fact]
    public void A_tool_that_keeps_undoing_the_repairs_gets_one_answer_per_throttle_period_for_all_its_changes()
    {
        for (int i = 0; i < FirewallWatch.MaxRepairs; i++) _watch.React(By(Someone, "fw-manager", Ours));
        Assert.Equal(FirewallWatch.MaxRepairs, TableListings);
        _watch.React(By(Someone, "fw-manager", Ours));           // held back
        _watch.React(By(Someone, "fw-manager", Ours, IptablesTable));
        Assert.Equal(FirewallWatch.MaxRepairs, TableListings);
        int iptables = IptablesListings;
        _time.Now += FirewallWatch.Throttle;
        _watch.React(NftChanges.None);                            // the throttle is over: one check for all three
        Assert.Equal(FirewallWatch.MaxRepairs + 1, TableListings);
        Assert.Equal(iptables + 1, IptablesListings);
    }

    [Fact]
    public void Without_notifications_nothing_is_listed_until_the_periodic_check()
    {
        _events.AdvanceOnWait = _time;
        _events.Rounds = 3;                   // three waits that time out: each one is a backstop period
        _watch.Run(_events.StopWhenEmpty());
        Assert.Equal(1 + 3, TableListings);   // the start, then one per period (this table never matches, so it lists)
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Hands out queued changes; once they are gone, lets <see cref="Rounds"/> waits time out, then stops the watch.</summary>
    private sealed class Events : INftEvents
    {
        private readonly Queue<NftChanges> _queued = new();
        private CancellationTokenSource? _stop;
        public ManualTime? AdvanceOnWait { get; set; }
        public int Rounds { get; set; }
        public bool Disposed { get; private set; }

        public void Queue(NftChanges changes) => _queued.Enqueue(changes);

        public CancellationToken StopWhenEmpty() => (_stop = new CancellationTokenSource()).Token;

        public NftChanges Next(TimeSpan timeout)
        {
            if (_queued.TryDequeue(out var next)) return next;
            if (Rounds-- > 0 && AdvanceOnWait is not null)
            {
                AdvanceOnWait.Now += timeout;
                return NftChanges.None;
            }
            _stop!.Cancel();
            return NftChanges.None;
        }

        public void Wake() { }
        public void Dispose() => Disposed = true;
    }
}
