using MyDocker.Engine.Common;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;

namespace MyDocker.Engine.Reconcile;

/// <summary>
/// One concern of reconciliation (network records, bridges, orphan devices, ...). Steps run one after another in the
/// order <see cref="ReconcileOrder"/> writes down, each on what the steps before it left (<see cref="ReconcileContext"/>).
/// A step tries each object on its own (<see cref="ReconcileResult.Attempt"/>), so one failure stops neither its other
/// objects nor the later steps; what a step does outside an attempt (a kernel dump every later step needs) fails the run.
/// </summary>
public interface IReconcileStep
{
    /// <summary>Removes engine objects that no record owns: skipped by a reconcile that leaves orphans for later, and the
    /// only steps <see cref="Reconciler.RemoveOrphansAsync"/> runs.</summary>
    bool RemovesOrphans => false;

    Task RunAsync(ReconcileContext ctx, ReconcileResult result, CancellationToken ct);
}

/// <summary>What one reconcile run shares between its steps. Not thread-safe: the steps run one at a time.</summary>
public sealed class ReconcileContext(StateDb db, bool firstRun)
{
    /// <summary>The database, read and changed through State's row mappings (<see cref="NetworkStore"/>).</summary>
    public StateDb Db { get; } = db;

    /// <summary>The daemon's start: the firewall table is rebuilt even when it matches.</summary>
    public bool FirstRun { get; } = firstRun;

    /// <summary>Every network record when the run began (a crash may have left some Creating or Removing).</summary>
    public List<Network> Networks { get; set; } = [];

    /// <summary>The Ready networks, once the network-records step has finished the others.</summary>
    public List<Network> LiveNetworks { get; set; } = [];

    /// <summary>One dump of the kernel's links and addresses, taken by the bridges step and shared by the steps after it.</summary>
    public IReadOnlyList<LinkInfo> Links { get; set; } = [];
    public IReadOnlyList<AddressInfo> Addresses { get; set; } = [];

    /// <summary>The settled containers (Created, Running, Exited), once the container-records step has finished the others.</summary>
    public List<Container> Containers { get; set; } = [];

    /// <summary>The container ids recorded when the first orphan step began (see ContainerSteps.LiveContainers).</summary>
    public HashSet<string>? ContainerIds { get; set; }
}

/// <summary>
/// What a reconcile changed and what failed. <see cref="Report"/> is the API's answer (strings); <see cref="Failures"/>
/// keeps each failed attempt's exception, so callers and tests can tell the kinds and errno apart.
/// </summary>
public sealed class ReconcileResult
{
    private readonly List<StepFailure> _failures = [];

    public ReconcileReport Report { get; } = new();

    public IReadOnlyList<StepFailure> Failures => _failures;

    /// <summary>Runs <paramref name="action"/>; a failure is kept as "<paramref name="what"/>: message".</summary>
    public void Attempt(string what, Action action)
    {
        try { action(); }
        catch (Exception e) { Fail(what, e); }
    }

    public async Task AttemptAsync(string what, Func<Task> action)
    {
        try { await action(); }
        catch (Exception e) { Fail(what, e); }
    }

    /// <summary>A problem found without an exception (a port that could not be restored): kept as text only.</summary>
    public void Problem(string text) => Report.Errors.Add(text);

    internal void Fail(string what, Exception e)
    {
        _failures.Add(new StepFailure(what, e));
        Report.Errors.Add($"{what}: {e.Message}");
    }
}
