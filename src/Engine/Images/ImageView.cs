using System.Text.Json;

namespace MyDocker.Engine.Images;

/// <summary>An image as the engine hands it out. Immutable; a snapshot of the store at the time of the call.</summary>
/// <param name="Id">"sha256:" + 64 hex, the digest of the image config.</param>
/// <param name="RepoTags">"name:tag" references pointing at the image, sorted; empty for a dangling image.</param>
/// <param name="Size">Bytes of file content in all layers.</param>
/// <param name="Layers">diffIDs ("sha256:..."), bottom layer first.</param>
public sealed record ImageView(
    string Id, IReadOnlyList<string> RepoTags, DateTimeOffset Created, long Size, IReadOnlyList<string> Layers, ImageConfig Config);

/// <summary>The defaults an image gives a container (the image config's "config" object). Null/empty when absent.</summary>
public sealed record ImageConfig(
    IReadOnlyList<string>? Cmd, IReadOnlyList<string>? Entrypoint, IReadOnlyList<string> Env, string? WorkingDir, string? User)
{
    public static readonly ImageConfig Empty = new(null, null, [], null, null);

    /// <summary>
    /// Reads Docker's "Config" object (as stored in the Images table, mapped by State/ImageStore); unknown fields are ignored. Never throws:
    /// configs are checked at load (<see cref="ImageConfigSchema"/>), but a row stored before that check, or damaged
    /// since, must not break listing, removal and the dashboard for every image (audit M6). A non-string list element
    /// is read as its JSON text, a value of the wrong kind as absent, text that is not JSON as an empty config.
    /// Cmd and Entrypoint may be one string (Docker's StrSlice).
    /// </summary>
    public static ImageConfig FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Empty;
            return new ImageConfig(
                Strings(root, "Cmd"), Strings(root, "Entrypoint"), Strings(root, "Env") ?? [],
                Text(root, "WorkingDir"), Text(root, "User"));
        }
        catch (JsonException) { return Empty; }
    }

    private static IReadOnlyList<string>? Strings(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var v) ? null
        : v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray()
        : v.ValueKind == JsonValueKind.String ? [v.GetString()!]
        : null;

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
