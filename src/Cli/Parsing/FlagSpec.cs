namespace MyDocker.Cli.Parsing;

/// <summary>
/// One flag a command accepts. Spellings accepted for a flag named <c>driver</c> with short name <c>d</c>:
/// <c>--driver X</c>, <c>--driver=X</c>, <c>-d X</c>, <c>-dX</c>, <c>-d=X</c>, and the seed's Go-style
/// single-dash long form <c>-driver X</c> / <c>-driver=X</c> (the seed ran <c>run -net testbr</c>).
/// </summary>
public sealed class FlagSpec
{
    /// <summary>Long name without dashes, e.g. <c>subnet</c>. Also the key in <see cref="ParsedArgs"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Other long spellings parsed as this flag, not shown in help (<c>--net</c> for <c>--network</c>).</summary>
    public string[] LongAliases { get; init; } = [];

    /// <summary>One-letter spelling (<c>-d</c>), or <c>'\0'</c> for none.</summary>
    public char Short { get; init; }

    /// <summary>Placeholder shown in help for a flag that takes a value (<c>string</c>, <c>list</c>); null for a boolean flag.</summary>
    public string? ValueName { get; init; }

    /// <summary>True when the flag may be given more than once and every value is kept (<c>-o a=1 -o b=2</c>);
    /// otherwise the last value wins, as with the docker CLI.</summary>
    public bool Repeatable { get; init; }

    /// <summary>One line of help.</summary>
    public string Help { get; init; } = "";

    /// <summary>Default shown in help, e.g. <c>"bridge"</c>; the command applies it.</summary>
    public string? DefaultText { get; init; }

    public bool TakesValue => ValueName is not null;

    public static FlagSpec Bool(string name, char shortName, string help) =>
        new() { Name = name, Short = shortName, Help = help };

    public static FlagSpec Value(string name, char shortName, string valueName, string help, string? defaultText = null) =>
        new() { Name = name, Short = shortName, ValueName = valueName, Help = help, DefaultText = defaultText };

    public static FlagSpec List(string name, char shortName, string valueName, string help) =>
        new() { Name = name, Short = shortName, ValueName = valueName, Help = help, Repeatable = true };
}
