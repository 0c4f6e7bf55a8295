using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Images;

namespace MyDocker.Engine.State;

/// <summary>The one mapping between <see cref="ImageView"/> and its stored rows (<see cref="ImageEntity"/>: the layer list as a
/// JSON array and Docker's "Config" object as the image gave it; <see cref="ImageTagEntity"/>: one row per name:tag), and the
/// queries and changes the engine makes to the Images and ImageTags tables. Nothing outside State/ sees the rows.
/// <para>Unlike networks and containers, a malformed image column does not throw: configs and layer digests are checked at
/// load, but a row stored before those checks, or damaged since, must not make listing, removal or the dashboard fail for
/// every image (audit M6). What does not parse is left out (<see cref="ParseLayers"/>, <see cref="ImageConfig.FromJson"/>),
/// and a layer that is not a digest is refused where a path would be made from it (ImageService.LowerDirs).</para></summary>
public static class ImageStore
{
    internal static ImageEntity ToEntity(string id, string configJson, IReadOnlyList<string> layers, DateTimeOffset created, long size) => new()
    {
        Id = id, ConfigJson = configJson, LayersJson = JsonSerializer.Serialize(layers), Created = created, Size = size,
    };

    internal static ImageView ToView(ImageEntity r, IEnumerable<string> tags) => new(
        r.Id,
        tags.Order(StringComparer.Ordinal).ToArray(),
        r.Created,
        r.Size,
        ParseLayers(r.LayersJson),
        ImageConfig.FromJson(r.ConfigJson));

    /// <summary>The layer list of a stored row. Tolerant: a damaged row (non-strings, not JSON) must not make listing,
    /// removal or the dashboard fail for every image (audit M6); what is not a string is left out.</summary>
    internal static string[] ParseLayers(string? json)
    {
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
            return doc.RootElement.ValueKind == JsonValueKind.Array
                ? doc.RootElement.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : [];
        }
        catch (JsonException) { return []; }
    }

    /// <summary>Every image with its tags, in no particular order.</summary>
    public static async Task<List<ImageView>> AllImagesAsync(this StateDb db, CancellationToken ct)
    {
        var images = await db.Images.AsNoTracking().ToListAsync(ct);
        var tags = (await db.ImageTags.AsNoTracking().ToListAsync(ct)).ToLookup(t => t.ImageId, t => t.Reference);
        return images.Select(i => ToView(i, tags[i.Id])).ToList();
    }

    /// <summary>The image with the full id <paramref name="id"/> ("sha256:" + 64 hex) and its tags, or null.</summary>
    public static async Task<ImageView?> FindImageAsync(this StateDb db, string id, CancellationToken ct)
    {
        var record = await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
        if (record is null) return null;
        var tags = await db.ImageTags.AsNoTracking().Where(t => t.ImageId == id).Select(t => t.Reference).ToListAsync(ct);
        return ToView(record, tags);
    }

    /// <summary>The id of the image the tag <paramref name="reference"/> ("name:tag") points at, or null.</summary>
    public static async Task<string?> ImageIdTaggedAsync(this StateDb db, string reference, CancellationToken ct) =>
        (await db.ImageTags.AsNoTracking().FirstOrDefaultAsync(t => t.Reference == reference, ct))?.ImageId;

    /// <summary>At most <paramref name="limit"/> image ids starting with <paramref name="prefix"/>.</summary>
    public static Task<List<string>> ImageIdsStartingWithAsync(this StateDb db, string prefix, int limit, CancellationToken ct) =>
        db.Images.AsNoTracking().Where(i => i.Id.StartsWith(prefix)).Select(i => i.Id).Take(limit).ToListAsync(ct);

    /// <summary>The containers (name, id) whose record names the image <paramref name="imageId"/>, with or without its
    /// "sha256:" prefix.</summary>
    public static async Task<List<(string Name, string Id)>> ContainersUsingImageAsync(this StateDb db, string imageId, CancellationToken ct)
    {
        string hex = imageId.StartsWith(Digest.Prefix, StringComparison.Ordinal) ? imageId[Digest.Prefix.Length..] : imageId;
        var users = await db.Containers.AsNoTracking()
            .Where(c => c.ImageId == imageId || c.ImageId == hex)
            .Select(c => new { c.Name, c.Id }).ToListAsync(ct);
        return users.Select(u => (u.Name, u.Id)).ToList();
    }

    /// <summary>Every layer some image row lists (what is not a string left out).</summary>
    public static async Task<HashSet<string>> LayersInUseAsync(this StateDb db, CancellationToken ct)
    {
        var all = await db.Images.AsNoTracking().Select(i => i.LayersJson).ToListAsync(ct);
        return all.SelectMany(ParseLayers).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Writes the image row (if new; <paramref name="configJson"/> is stored as given) and points the tags at it,
    /// in one transaction.</summary>
    /// <returns>The tags that pointed at another image before, with that image's id.</returns>
    public static async Task<IReadOnlyList<(string Tag, string FromImageId)>> AddImageAsync(this StateDb db, string id, string configJson,
        IReadOnlyList<string> layers, DateTimeOffset created, long size, IEnumerable<string> tags, CancellationToken ct)
    {
        var moved = new List<(string, string)>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Images.FindAsync([id], ct) is null) db.Images.Add(ToEntity(id, configJson, layers, created, size));
        foreach (var tag in tags.Distinct())
        {
            var row = await db.ImageTags.FindAsync([tag], ct);
            if (row is null) db.ImageTags.Add(new ImageTagEntity { Reference = tag, ImageId = id });
            else if (row.ImageId != id)
            {
                moved.Add((tag, row.ImageId));
                row.ImageId = id;
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>Deletes the tags <paramref name="untag"/> and, when <paramref name="deleteImageId"/> is given, that image's
    /// row, in one transaction.</summary>
    public static async Task RemoveImageAsync(this StateDb db, IReadOnlyCollection<string> untag, string? deleteImageId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.ImageTags.Where(t => untag.Contains(t.Reference)).ExecuteDeleteAsync(ct);
        if (deleteImageId is not null) await db.Images.Where(i => i.Id == deleteImageId).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
    }
}
