using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Common;

/// <summary>
/// Undo log for a multi-step operation: each step that changed something registers how to undo it; unless
/// <see cref="Complete"/> is called, disposing the scope runs the undo actions in reverse order. Every undo runs
/// even if an earlier one fails; failures are logged (the reconciler removes whatever is still left).
/// </summary>
public sealed class RollbackScope(ILogger logger, string operation) : IDisposable
{
    private readonly Stack<(string What, Action Undo)> _undo = new();
    private bool _completed;

    /// <summary>Registers the undo of a step that has just succeeded.</summary>
    public void OnRollback(string what, Action undo) => _undo.Push((what, undo));

    /// <summary>The operation succeeded: nothing will be undone.</summary>
    public void Complete() => _completed = true;

    public void Dispose()
    {
        if (_completed) return;
        while (_undo.TryPop(out var step))
        {
            try { step.Undo(); }
            catch (Exception e)
            {
                logger.LogError(e, "Rollback of {Operation}: could not undo {Step}", operation, step.What);
            }
        }
    }
}

/// <summary>
/// Runs every teardown step even after one fails and reports all failures together (the netavark habit).
/// "Already gone" must be treated as success by the steps themselves.
/// </summary>
public sealed class Teardown
{
    private readonly List<string> _errors = new();

    public IReadOnlyList<string> Errors => _errors;

    public void Step(string what, Action action)
    {
        try { action(); }
        catch (Exception e) { _errors.Add($"{what}: {e.Message}"); }
    }

    public async Task StepAsync(string what, Func<Task> action)
    {
        try { await action(); }
        catch (Exception e) { _errors.Add($"{what}: {e.Message}"); }
    }

    /// <summary>Throws one <see cref="EngineException"/> listing every failed step, if any failed.</summary>
    public void ThrowIfFailed(string operation)
    {
        if (_errors.Count > 0)
            throw new EngineException(ErrorKind.Internal,
                $"{operation} failed in {_errors.Count} step(s): {string.Join("; ", _errors)}. " +
                "The record is kept; run 'mydocker system reconcile' to finish the clean-up.");
    }
}
