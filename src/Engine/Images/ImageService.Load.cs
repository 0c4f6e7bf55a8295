using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace MyDocker.Engine.Images;

public sealed partial class ImageService
{
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";
    private const string DockerListType = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>One image an archive describes: its config blob, layer files bottom first, and the tags it carries.</summary>
    private sealed record ArchiveImage(string ConfigPath, IReadOnlyList<string> LayerPaths, IReadOnlyList<ImageReference> Tags);

    /// <summary>One image's config, read and checked before anything of the archive is unpacked.</summary>
    private sealed record CheckedImage(ArchiveImage Archive, string Id, IReadOnlyList<string> DiffIds, string InnerConfig, DateTimeOffset Created);

    /// <summary>
    /// Loads every image of a `docker save` tarball (manifest.json: Config, RepoTags, Layers) or an OCI image-layout
    /// tarball (oci-layout, index.json, blobs/; tags from the io.containerd.image.name or a full
    /// org.opencontainers.image.ref.name annotation). The archive and its layers may be gzip. Each layer is checked
    /// against the config's rootfs.diff_ids; layers the store has already are not unpacked again. The image id is the
    /// digest of the config blob, as in Docker. Tags already pointing elsewhere move to the loaded image.
    /// <para>Every image's config is read and checked (diff_ids are digests, fields have Docker's types) before any
    /// layer is unpacked, so an archive refused for its configs leaves nothing behind.</para>
    /// </summary>
    /// <exception cref="EngineException">InvalidArgument for a corrupt, truncated, unsafe or unrecognised archive;
    /// nothing of a refused image is kept.</exception>
    public async Task<IReadOnlyList<ImageView>> LoadAsync(Stream tar, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            EnsureStoreDirectories();
            using var archive = await Task.Run(() => ImageArchive.Spool(tar, TmpRoot, ct), ct);
            List<CheckedImage> images;
            try
            {
                var listed = archive.Find("manifest.json") is not null ? ReadDockerManifest(archive)
                    : archive.Find("index.json") is not null ? ReadOciIndex(archive)
                    : throw EngineException.Invalid(
                        "the tarball is not a `docker save` or OCI image archive (it has neither manifest.json nor index.json); " +
                        "for a plain root filesystem tarball use 'mydocker import FILE NAME[:TAG]'");
                if (listed.Count == 0) throw EngineException.Invalid("the image archive lists no image");
                images = listed.Select(ReadConfig).ToList();
            }
            catch (Exception e) when (Compression.IsMalformedInput(e))
            {
                // JsonElement throws InvalidOperationException for a value of an unexpected kind ("Layers":[1], "manifests":[2]).
                throw new EngineException(ErrorKind.InvalidArgument,
                    $"the image tarball's manifest or config is malformed ({e.Message}); nothing was loaded. Save the image again.", e);
            }
            var loaded = new List<ImageView>();
            foreach (var image in images) loaded.Add(await LoadOneAsync(image, ct));
            foreach (var image in loaded) events.Publish(Events.EngineEvents.ImageLoaded(image.Id, image.RepoTags.FirstOrDefault() ?? image.Id));
            return loaded;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Reads and checks one image's config blob: JSON object, Docker's field types, diff_ids that are digests
    /// and as many as the layers listed.</summary>
    private static CheckedImage ReadConfig(ArchiveImage image)
    {
        byte[] configBytes = File.ReadAllBytes(image.ConfigPath);
        string id = DigestOf(configBytes);
        JsonElement config;
        try { config = JsonDocument.Parse(configBytes).RootElement; }
        catch (JsonException e) { throw EngineException.Invalid($"the image config {id} in the tarball is not valid JSON: {e.Message}"); }
        if (config.ValueKind != JsonValueKind.Object) throw EngineException.Invalid($"the image config {id} in the tarball is not a JSON object");
        ImageConfigSchema.Check(config, $"the image config {id}");

        var diffIds = config.TryGetProperty("rootfs", out var rootfs) && rootfs.ValueKind == JsonValueKind.Object &&
                      rootfs.TryGetProperty("diff_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Select(e => e.GetString()).ToList()
            : null;
        if (diffIds is null || diffIds.Count != image.LayerPaths.Count)
            throw EngineException.Invalid(
                $"image {id} lists {image.LayerPaths.Count} layer(s) but its config's rootfs.diff_ids has {diffIds?.Count ?? 0}; the tarball is inconsistent");
        for (int i = 0; i < diffIds.Count; i++)
            Digest.Hex(diffIds[i], $"layer {i + 1} of image {id}: its diff_id");

        string innerConfig = config.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c.GetRawText()
            : config.TryGetProperty("container_config", out var cc) && cc.ValueKind == JsonValueKind.Object ? cc.GetRawText()
            : "{}";
        var created = config.TryGetProperty("created", out var cr) && cr.ValueKind == JsonValueKind.String &&
                      DateTimeOffset.TryParse(cr.GetString(), out var t) ? t : DateTimeOffset.UtcNow;
        return new CheckedImage(image, id, diffIds!, innerConfig, created);
    }

    private async Task<ImageView> LoadOneAsync(CheckedImage image, CancellationToken ct)
    {
        var (archiveImage, id, diffIds) = (image.Archive, image.Id, image.DiffIds);
        long size = 0;
        for (int i = 0; i < diffIds.Count; i++)
        {
            string what = $"layer {i + 1} of {diffIds.Count} ({diffIds[i]}) of image {(archiveImage.Tags.Count > 0 ? archiveImage.Tags[0] : id)}";
            // Skipped only for a real directory named by this (checked) digest inside the layer store: a layer unpacked
            // and verified by an earlier load or import.
            if (IsLayerPresent(diffIds[i]))
            {
                string dir = LayerDir(diffIds[i]);
                size += await Task.Run(() => DirectorySize(dir), ct);
                continue;
            }
            await using var layer = File.OpenRead(archiveImage.LayerPaths[i]);
            var expected = diffIds[i];
            size += (await Task.Run(() => UnpackLayer(layer, what, expected, ct), ct)).Size;
        }

        var view = await StoreAsync(id, image.InnerConfig, diffIds, image.Created, size, archiveImage.Tags, ct);
        logger.LogInformation("Loaded image {Id} ({Tags}), {Layers} layer(s)", id, string.Join(", ", archiveImage.Tags), diffIds.Count);
        return view;
    }

    private static long DirectorySize(string dir) =>
        new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
            .Where(f => f.LinkTarget is null).Sum(f => f.Length);

    /// <summary>manifest.json of `docker save`: [{"Config": "...", "RepoTags": [...], "Layers": [...]}].</summary>
    private static List<ArchiveImage> ReadDockerManifest(ImageArchive archive)
    {
        var doc = ParseJson(archive.ReadAll("manifest.json", "the manifest"), "manifest.json");
        if (doc.ValueKind != JsonValueKind.Array) throw EngineException.Invalid("manifest.json in the image tarball is not a JSON array");
        var images = new List<ArchiveImage>();
        foreach (var item in doc.EnumerateArray())
        {
            string configName = StringField(item, "Config") ?? throw EngineException.Invalid("an entry of manifest.json has no Config");
            var layers = item.TryGetProperty("Layers", out var l) && l.ValueKind == JsonValueKind.Array
                ? l.EnumerateArray().Select(x => archive.Require(x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText(), "layer")).ToList()
                : [];
            var tags = new List<ImageReference>();
            if (item.TryGetProperty("RepoTags", out var rt) && rt.ValueKind == JsonValueKind.Array)
                foreach (var tag in rt.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText()))
                    tags.Add(ImageReference.TryParse(tag) ?? throw EngineException.Invalid($"manifest.json tags an image with \"{tag}\", which is not a valid NAME:TAG"));
            images.Add(new ArchiveImage(archive.Require(configName, "image config"), layers, tags));
        }
        return images;
    }

    /// <summary>An OCI image layout: index.json → (nested index →) manifest → config and layers, all under blobs/.</summary>
    private static List<ArchiveImage> ReadOciIndex(ImageArchive archive)
    {
        if (archive.Find("oci-layout") is null)
            throw EngineException.Invalid("the tarball has index.json but no oci-layout file; it is not an OCI image layout");
        var images = new List<ArchiveImage>();
        var index = ParseJson(archive.ReadAll("index.json", "the OCI index"), "index.json");
        foreach (var descriptor in Manifests(index))
        {
            var tags = new List<ImageReference>();
            if (Annotation(descriptor, "io.containerd.image.name") is { } full && ImageReference.TryParse(full) is { } r1) tags.Add(r1);
            else if (Annotation(descriptor, "org.opencontainers.image.ref.name") is { } refName &&
                     (refName.Contains(':') || refName.Contains('/')) && ImageReference.TryParse(refName) is { } r2)
                tags.Add(r2); // a bare ref.name ("latest") is only a tag with no repository: the image loads untagged
            var manifest = ResolveManifest(archive, descriptor, 0);
            var config = manifest.TryGetProperty("config", out var cfg) ? cfg : throw EngineException.Invalid("an OCI manifest in the tarball has no config");
            var layers = manifest.TryGetProperty("layers", out var ls) && ls.ValueKind == JsonValueKind.Array
                ? ls.EnumerateArray().Select(d => archive.Require(BlobPath(d), "layer blob")).ToList()
                : [];
            images.Add(new ArchiveImage(archive.Require(BlobPath(config), "image config blob"), layers, tags));
        }
        return images;
    }

    /// <summary>Follows nested indexes (multi-platform images) down to the linux/amd64 manifest.</summary>
    private static JsonElement ResolveManifest(ImageArchive archive, JsonElement descriptor, int depth)
    {
        if (depth > 4) throw EngineException.Invalid("the OCI index nests too deep");
        var blob = ParseJson(archive.ReadAll(BlobPath(descriptor), "manifest blob"), BlobPath(descriptor));
        string? type = StringField(descriptor, "mediaType") ?? StringField(blob, "mediaType");
        if (type is not (OciIndexType or DockerListType) && !blob.TryGetProperty("manifests", out _)) return blob;
        var candidates = Manifests(blob).ToList();
        var pick = candidates.FirstOrDefault(m => m.TryGetProperty("platform", out var p) &&
                                                  StringField(p, "os") == "linux" && StringField(p, "architecture") == "amd64");
        if (pick.ValueKind == JsonValueKind.Undefined)
            pick = candidates.Count == 1 ? candidates[0]
                : throw EngineException.Invalid("the OCI index has no linux/amd64 manifest; MyDocker runs linux/amd64 images only");
        return ResolveManifest(archive, pick, depth + 1);
    }

    private static IEnumerable<JsonElement> Manifests(JsonElement index) =>
        index.ValueKind == JsonValueKind.Object && index.TryGetProperty("manifests", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().ToList()
            : throw EngineException.Invalid("an OCI index in the tarball has no manifests list");

    private static string BlobPath(JsonElement descriptor)
    {
        string digest = StringField(descriptor, "digest") ?? throw EngineException.Invalid("an OCI descriptor in the tarball has no digest");
        return "blobs/sha256/" + Digest.Hex(digest, "an OCI descriptor's digest");
    }

    private static string? Annotation(JsonElement descriptor, string key) =>
        descriptor.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? StringField(a, key) : null;

    private static string? StringField(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static JsonElement ParseJson(byte[] bytes, string what)
    {
        try { return JsonDocument.Parse(bytes).RootElement; }
        catch (JsonException e) { throw EngineException.Invalid($"{what} in the image tarball is not valid JSON: {e.Message}"); }
    }
}
