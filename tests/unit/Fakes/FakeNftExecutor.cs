using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// Records every batch handed to nft (in order, including rejected ones) and answers from canned outputs.
/// A batch matching a failure rule is rejected whole, like libnftables does, and throws <see cref="NftException"/>.
/// With <paramref name="modelTable"/>, what is neither failed nor canned is applied to a model of the engine's table
/// (<see cref="FakeNftTable"/>), which answers the listings, refuses what the kernel refuses, and <see cref="Dump"/>s its state.
/// </summary>
public sealed class FakeNftExecutor(bool modelTable = false) : INftExecutor
{
    /// <summary>The modelled table (null unless constructed with modelTable).</summary>
    public FakeNftTable? Table { get; } = modelTable ? new FakeNftTable() : null;

    /// <summary>The modelled table's state (<see cref="FakeNftTable.Dump"/>).</summary>
    public string Dump()
    {
        lock (_gate) return (Table ?? throw new InvalidOperationException("constructed without modelTable")).Dump();
    }

    private readonly Lock _gate = new();
    private readonly List<Batch> _batches = [];
    private readonly Dictionary<(string, bool), string> _outputs = [];
    private readonly List<(Func<string, bool> When, string Error)> _failures = [];

    public sealed record Batch(string Commands, bool Json, bool Rejected);

    public IReadOnlyList<Batch> Batches { get { lock (_gate) return [.. _batches]; } }

    /// <summary>The accepted batches' text, in order.</summary>
    public IReadOnlyList<string> Applied { get { lock (_gate) return [.. _batches.Where(b => !b.Rejected).Select(b => b.Commands)]; } }

    /// <summary>Answers <paramref name="commands"/> (exact text) with <paramref name="output"/>.</summary>
    public FakeNftExecutor On(string commands, string output, bool json = true)
    {
        lock (_gate) _outputs[(commands, json)] = output;
        return this;
    }

    /// <summary>Rejects every batch for which <paramref name="when"/> is true.</summary>
    public FakeNftExecutor FailWhen(Func<string, bool> when, string error = "Error: No such file or directory")
    {
        lock (_gate) _failures.Add((when, error));
        return this;
    }

    /// <summary>Forgets every failure rule (the fault is fixed).</summary>
    public void ClearFailures()
    {
        lock (_gate) _failures.Clear();
    }

    public string Run(string commands, bool json = false, bool terse = false)
    {
        lock (_gate)
        {
            var failure = _failures.FirstOrDefault(f => f.When(commands));
            _batches.Add(new Batch(commands, json, failure.When is not null));
            if (failure.When is not null) throw new NftException(failure.Error, commands);
            if (_outputs.TryGetValue((commands, json), out var output)) return output;
            if (Table is null) return "";
            try { return Table.Run(commands, json, terse); }
            catch (NftException)
            {
                _batches[^1] = _batches[^1] with { Rejected = true };
                throw;
            }
        }
    }
}
