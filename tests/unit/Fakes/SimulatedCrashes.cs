using Microsoft.Extensions.DependencyInjection;
using MyDocker.Engine.Common;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// Operations of a lab's "daemon" stopped dead at a crash point, as SIGKILL stops mydockerd: no rollback, no finally,
/// nothing after the point runs. They stay parked until the lab is disposed, then are released and their daemons disposed.
/// </summary>
public sealed class SimulatedCrashes : IAsyncDisposable
{
    private readonly List<(Task Operation, ManualResetEventSlim Dead, ServiceProvider Daemon)> _crashed = [];

    /// <summary>Runs <paramref name="operation"/> until it reaches <paramref name="point"/>; fails the test when the
    /// operation ends without reaching it. The caller drops <paramref name="daemon"/> afterwards (a restart builds anew).</summary>
    public async Task RunUntilAsync(string point, ServiceProvider daemon, Func<Task> operation)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dead = new ManualResetEventSlim();
        var run = Task.Run(async () =>
        {
            CrashPoint.Simulate(name =>
            {
                if (name != point) return;
                reached.TrySetResult();
                dead.Wait();                       // the "process" is gone; released only when the lab is disposed
                throw new OperationCanceledException($"simulated crash at {point}");
            });
            await operation();
        });
        _crashed.Add((run, dead, daemon));
        if (await Task.WhenAny(reached.Task, run) != reached.Task)
        {
            await run;
            throw new Xunit.Sdk.XunitException($"{point} was never reached");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (operation, dead, daemon) in _crashed)
        {
            dead.Set();
            try { await operation; } catch (Exception) { /* the dead daemon's rollback, against state nobody looks at any more */ }
            await daemon.DisposeAsync();
        }
    }
}
