using MyDocker.Engine.Networks.Firewall.Foreign;

namespace MyDocker.UnitTests.Fakes;

/// <summary>Records every program run (name and argument list) and answers from a handler (default: exit 0, no output).</summary>
public sealed class FakeProgramRunner(Func<string, IReadOnlyList<string>, ProgramResult>? handler = null) : IProgramRunner
{
    private readonly Lock _gate = new();
    private readonly List<(string Program, string[] Args)> _calls = [];

    public IReadOnlyList<(string Program, string[] Args)> Calls { get { lock (_gate) return [.. _calls]; } }

    /// <summary>The calls as "program arg arg ..." lines (for readable asserts; the runner itself gets lists).</summary>
    public IReadOnlyList<string> Lines => [.. Calls.Select(c => string.Join(' ', [c.Program, .. c.Args]))];

    public ProgramResult Run(string program, IReadOnlyList<string> args)
    {
        lock (_gate) _calls.Add((program, [.. args]));
        return handler?.Invoke(program, args) ?? new ProgramResult(0, "", "");
    }
}
