namespace MyDocker.Engine.Common;

/// <summary>
/// Runs every teardown step even after one fails and reports all failures together (the netavark habit: its
/// NetavarkErrorList keeps the errors themselves). "Already gone" must be treated as success by the steps themselves.
/// </summary>
public sealed class Teardown
{
    private readonly List<StepFailure> _failures = new();

    /// <summary>The steps that failed, in the order they ran, with their exceptions.</summary>
    public IReadOnlyList<StepFailure> Failures => _failures;

    public void Step(string what, Action action)
    {
        try { action(); }
        catch (Exception e) { _failures.Add(new StepFailure(what, e)); }
    }

    public async Task StepAsync(string what, Func<Task> action)
    {
        try { await action(); }
        catch (Exception e) { _failures.Add(new StepFailure(what, e)); }
    }

    /// <summary>Throws one <see cref="TeardownException"/> listing every failed step, if any failed.</summary>
    public void ThrowIfFailed(string operation)
    {
        if (_failures.Count > 0) throw new TeardownException(operation, _failures);
    }
}

/// <summary>One step of a teardown or a reconcile that failed: its name and what it threw (kind, errno and inner
/// exceptions kept).</summary>
public sealed record StepFailure(string Step, Exception Error)
{
    public override string ToString() => $"{Step}: {Error.Message}";

    /// <summary>Every failure, with the failures of a nested teardown listed in its place (netavark's flattening push).</summary>
    public static IEnumerable<StepFailure> Flatten(IEnumerable<StepFailure> failures) =>
        failures.SelectMany(f => f.Error is TeardownException t ? Flatten(t.Failures) : [f]);
}

/// <summary>
/// A teardown in which some steps failed; the others ran. The message lists every failure (what the API prints);
/// <see cref="Failures"/> keeps each step's exception, so callers and tests can tell the kinds and errno apart.
/// </summary>
public sealed class TeardownException(string operation, IReadOnlyList<StepFailure> failures)
    : EngineException(ErrorKind.Internal,
        $"{operation} failed in {failures.Count} step(s): {string.Join("; ", failures)}. " +
        "The record is kept; run 'mydocker system reconcile' to finish the clean-up.")
{
    public IReadOnlyList<StepFailure> Failures { get; } = [.. failures];
}
