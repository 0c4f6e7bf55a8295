namespace MyDocker.Engine.Images;

/// <summary>
/// Content digests as the engine accepts them: "sha256:" followed by exactly 64 lower-case hex digits, nothing else.
/// An image archive's diff_ids and descriptor digests are attacker-supplied text; a path is built only from a digest
/// that passed <see cref="IsValid"/>, as moby parses every digest (opencontainers/go-digest, Digest.Validate) before it
/// names a file after one. Without this, a diff_id of "/etc" or "../../x" became a layer directory (audit finding C1).
/// </summary>
public static class Digest
{
    public const string Prefix = "sha256:";
    private const int HexLength = 64;

    public static bool IsValid(string? digest) =>
        digest is { Length: 7 + HexLength } &&
        digest.StartsWith(Prefix, StringComparison.Ordinal) &&
        digest.AsSpan(Prefix.Length).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The 64 hex digits of a valid digest.</summary>
    /// <exception cref="EngineException">InvalidArgument naming <paramref name="what"/> when the digest is not valid.</exception>
    public static string Hex(string? digest, string what) => IsValid(digest)
        ? digest![Prefix.Length..]
        : throw EngineException.Invalid(
            $"{what} \"{Shorten(digest)}\" is not a digest: MyDocker accepts only \"sha256:\" followed by 64 lower-case hex digits. " +
            "The image archive is damaged or was crafted; nothing was read or changed because of it");

    /// <summary>Attacker text in a message: at most 100 characters, control characters shown as '?'.</summary>
    private static string Shorten(string? text)
    {
        if (text is null) return "(not a string)";
        var s = new string(text.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length > 100 ? s + "…" : s;
    }
}
