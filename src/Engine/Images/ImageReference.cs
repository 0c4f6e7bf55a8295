using System.Text.RegularExpressions;

namespace MyDocker.Engine.Images;

/// <summary>
/// A name:tag as users write it ("busybox", "busybox:1.36", "registry:5000/team/app:v2"). Names follow Docker's
/// reference grammar (distribution/reference): lowercase path components of [a-z0-9] joined by '.', '_', '__' or
/// '-' runs, separated by '/', optionally after a registry host[:port]; tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
/// "docker.io/library/busybox" and "docker.io/busybox" are the same image as "busybox", as in Docker.
/// </summary>
public sealed partial record ImageReference(string Name, string Tag)
{
    public const string DefaultTag = "latest";

    /// <summary>"name:tag", the key of the ImageTags table and what RepoTags lists.</summary>
    public override string ToString() => Name + ":" + Tag;

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex PathComponent();

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|localhost)(?::[0-9]+)?$")]
    private static partial Regex Host();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    /// <summary>Parses a reference; null when it is not a valid name[:tag]. A digest (@sha256:...) is not accepted.</summary>
    public static ImageReference? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 255 || text.Contains('@')) return null;
        string name = text, tag = DefaultTag;
        int slash = text.LastIndexOf('/');
        int colon = text.LastIndexOf(':');
        if (colon > slash)
        {
            name = text[..colon];
            tag = text[(colon + 1)..];
            if (!TagPattern().IsMatch(tag)) return null;
        }
        var parts = name.Split('/');
        int first = 0;
        // As in Docker: the first component is a registry host when it has a '.' or ':' or is "localhost".
        if (parts.Length > 1 && (parts[0].Contains('.') || parts[0].Contains(':') || parts[0] == "localhost"))
        {
            if (!Host().IsMatch(parts[0])) return null;
            first = 1;
        }
        for (int i = first; i < parts.Length; i++)
            if (!PathComponent().IsMatch(parts[i])) return null;
        if (name.StartsWith("docker.io/library/", StringComparison.Ordinal) && parts.Length == 3) name = name["docker.io/library/".Length..];
        else if (name.StartsWith("docker.io/", StringComparison.Ordinal)) name = name["docker.io/".Length..];
        return new ImageReference(name, tag);
    }

    /// <summary>Parses a reference the user gave, or throws an InvalidArgument <see cref="EngineException"/> saying why.</summary>
    public static ImageReference Parse(string? text) => TryParse(text) ?? throw EngineException.Invalid(
        $"invalid image reference \"{text}\": write NAME[:TAG] with a lowercase name (letters, digits, '.', '_', '-', '/') " +
        "and a tag of letters, digits, '_', '.', '-', e.g. busybox:latest");
}
