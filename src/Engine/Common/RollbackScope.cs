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
