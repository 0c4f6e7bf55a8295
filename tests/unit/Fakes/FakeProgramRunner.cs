using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.UnitTests.Fakes;

/// <summary>Records every program run (name and argument list) and answers from a handler (default: exit 0, no output).</summary>
public sealed class FakeProgramRunner(Func<string, IReadOnlyList<string>, string?, ProgramResult>? handler = null) : IProgramRunner
{
    /// <summary>A handler that does not look at the input.</summary>
    public FakeProgramRunner(Func<string, IReadOnlyList<string>, ProgramResult> handler) : this((p, a, _) => handler(p, a)) { }

    private readonly Lock _gate = new();
    private readonly List<(string Program, string[] Args)> _calls = [];

    public IReadOnlyList<(string Program, string[] Args)> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>The calls as "program arg arg ..." lines (for readable asserts; the runner itself gets lists).</summary>
    public IReadOnlyList<string> Lines => [.. Calls.Select(c => string.Join(' ', [c.Program, .. c.Args]))];

    /// <summary>The input of each call that had one, in order.</summary>
    public IReadOnlyList<string> Inputs { get { lock (_gate) return [.. _inputs]; } }
    private readonly List<string> _inputs = [];

    public ProgramResult Run(string program, IReadOnlyList<string> args, string? stdin = null)
    {
        lock (_gate)
        {
            _calls.Add((program, [.. args]));
            if (stdin is not null) _inputs.Add(stdin);
        }
        return handler?.Invoke(program, args, stdin) ?? new ProgramResult(0, "", "");
    }
}
