namespace MyDocker.Cli.Parsing;

/// <summary>What <see cref="ArgParser"/> found: flag values by long name, and positional arguments in order.</summary>
public sealed class ParsedArgs
{
    private static readonly string[] None = [];
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = new();

    public IReadOnlyList<string> Positionals => _positionals;

    /// <summary>True when the flag appeared at least once.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The last value given for a flag, or null when absent.</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Every value given for a flag, in command-line order (empty when absent).</summary>
    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : None;

    /// <summary>A boolean flag's value: false when absent, else its last <c>true</c>/<c>false</c>.</summary>
    public bool Bool(string name) => Value(name) is "true";

    internal void Add(FlagSpec flag, string value)
    {
        if (!_values.TryGetValue(flag.Name, out var list))
        {
            list = new List<string>(1);
            _values[flag.Name] = list;
        }
        else if (!flag.Repeatable)
        {
            list.Clear(); // last one wins, as pflag does for scalar flags
        }
        list.Add(value);
    }

    internal void AddPositional(string value) => _positionals.Add(value);
}
