using MyDocker.Engine.Networks;

namespace MyDocker.Engine.Containers;

/// <summary>
/// `--network-alias`/`--alias` checks. An alias is a name other containers look up, so it must be one DNS label
/// (RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1: letters, digits and '-', 1 to 63 characters, no '-' at either end);
/// Docker accepts any string and its resolver then never answers an invalid one.
/// </summary>
public static class EndpointAliases
{
    public const int MaxLabelLength = 63;

    /// <summary>The aliases without duplicates (case-insensitive, as DNS compares names), first spelling kept.</summary>
    /// <exception cref="EngineException">InvalidArgument naming the alias, the container and the rule it breaks.</exception>
    public static List<string> Validate(IEnumerable<string>? aliases, string container)
    {
        var result = new List<string>();
        foreach (var alias in aliases ?? [])
        {
            if (Problem(alias) is { } problem)
                throw EngineException.Invalid($"alias '{NameRules.Printable(alias)}' for container '{container}' {problem}; give a DNS label such as 'db' (letters, digits and '-', at most {MaxLabelLength} characters, not starting or ending with '-')");
            if (!result.Contains(alias, StringComparer.OrdinalIgnoreCase)) result.Add(alias);
        }
        return result;
    }

    /// <summary>Null when <paramref name="alias"/> is a valid DNS label, otherwise what is wrong with it.</summary>
    public static string? Problem(string alias)
    {
        if (alias.Length == 0) return "is empty";
        if (alias.Length > MaxLabelLength) return $"is {alias.Length} characters long";
        foreach (char c in alias)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                return c == '.' ? "contains '.' (one label only)" : $"contains '{NameRules.Printable(c.ToString())}'";
        if (alias[0] == '-' || alias[^1] == '-') return "starts or ends with '-'";
        return null;
    }
}
