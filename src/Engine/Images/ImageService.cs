using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Images;

/// <summary>
/// The image store. Images come from tarballs (there is no registry): a plain rootfs (<see cref="ImportRootfsAsync"/>),
/// or `docker save` / OCI image-layout archives (<see cref="LoadAsync"/>). Rows live in the Images/ImageTags tables (State/ImageStore); layers
/// are unpacked once under &lt;data-root&gt;/image/layers/&lt;diffID hex&gt; and shared by every image that has them.
/// <para>Crash safety: a layer is unpacked into &lt;data-root&gt;/image/tmp and renamed into place only when complete,
/// and a layer is renamed back into tmp before it is deleted, so a final-named layer directory is always whole.
/// Database rows are written after their layers exist and deleted before their layers go; what a crash leaves between
/// the two (an unreferenced layer, a temp dir) is removed by <see cref="CleanUpAfterCrash"/>.</para>
/// <para>Threading: changes (import, load, remove, clean-up, the seed's on-demand import) are serialised by one gate;
/// reads do not take it. Singleton.</para>
/// </summary>
public sealed partial class ImageService(EngineOptions options, StateDbFactory state, Events.EventHub events, ILogger<ImageService> logger)
{
    /// <summary>The shortest id prefix accepted as a reference (a shorter hex word is too likely to be ambiguous).</summary>
    public const int MinIdPrefix = 4;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>&lt;data-root&gt;/image: seed tarballs (NAME.tar), layers/ and tmp/.</summary>
    public string ImageRoot => Path.Combine(options.DataRoot, "image");
    public string LayersRoot => Path.Combine(ImageRoot, "layers");
    public string TmpRoot => Path.Combine(ImageRoot, "tmp");

    /// <summary>
    /// Imports a plain rootfs tarball (optionally gzip) as a one-layer image tagged <paramref name="reference"/> (tag
    /// "latest" when none is given). The image id is the digest of a config synthesised from the layer's diffID alone,
    /// so importing the same tarball twice gives the same image. The image has no default command (as `docker import`).
    /// </summary>
    public async Task<ImageView> ImportRootfsAsync(Stream tar, string reference, CancellationToken ct)
    {
        var r = ImageReference.Parse(reference);
        await _gate.WaitAsync(ct);
        try { return await ImportLockedAsync(tar, r, $"the rootfs tarball for {r}", ct); }
        finally { _gate.Release(); }
    }

    private async Task<ImageView> ImportLockedAsync(Stream tar, ImageReference reference, string what, CancellationToken ct)
    {
        var layer = await Task.Run(() => UnpackLayer(tar, what, expectedDiffId: null, ct), ct);
        string config = SynthesiseConfig(layer.DiffId);
        string id = DigestOf(Encoding.UTF8.GetBytes(config));
        var view = await StoreAsync(id, "{}", [layer.DiffId], DateTimeOffset.UtcNow, layer.Size, [reference], ct);
        logger.LogInformation("Imported {Reference} as image {Id} ({Size} bytes)", reference, id, layer.Size);
        events.Publish(Events.EngineEvents.ImageImported(id, reference.ToString()));
        return view;
    }

    /// <summary>An image event as Docker sends them: the image id as actor, the reference as "name".</summary>
    /// <summary>The config a rootfs import stands for: one layer, no defaults, no timestamp (so the id is reproducible).</summary>
    internal static string SynthesiseConfig(string diffId) =>
        """{"architecture":"amd64","config":{},"os":"linux","rootfs":{"type":"layers","diff_ids":[""" + "\"" + diffId + "\"]}}";

    /// <summary>Every image, newest first. Waits for the start-up import of seed tarballs (<see cref="StartSeedImport"/>).</summary>
    public async Task<IReadOnlyList<ImageView>> ListAsync(CancellationToken ct)
    {
        await _seeding.WaitAsync(ct);
        await using var db = state.Create();
        return (await db.AllImagesAsync(ct)).OrderByDescending(v => v.Created).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Resolves a reference: "sha256:" + full id, 64 hex digits, NAME[:TAG] (tag "latest" by default), or a unique id
    /// prefix of at least <see cref="MinIdPrefix"/> hex digits — in that order, as Docker does. The seed's way: when
    /// NAME[:latest] is unknown but &lt;data-root&gt;/image/NAME.tar exists, that file is imported once as NAME:latest.
    /// </summary>
    /// <exception cref="EngineException">NotFound when nothing matches; InvalidArgument when a prefix is ambiguous.</exception>
    public async Task<ImageView> GetAsync(string reference, CancellationToken ct)
    {
        if (await TryResolveAsync(reference, ct) is { } found) return found.View;
        if (SeedTarball(reference) is { } seed)
        {
            await _gate.WaitAsync(ct);
            try
            {
                // Another request may have imported it while this one waited.
                if (await TryResolveAsync(reference, ct) is { } raced) return raced.View;
                await using var file = File.OpenRead(seed.Path);
                return await ImportLockedAsync(file, seed.Reference, seed.Path, ct);
            }
            finally { _gate.Release(); }
        }
        throw NoSuchImage(reference);
    }

    private (string Path, ImageReference Reference)? SeedTarball(string reference)
    {
        if (ImageReference.TryParse(reference) is not { Tag: ImageReference.DefaultTag } r || r.Name.Contains('/')) return null;
        string path = Path.Combine(ImageRoot, r.Name + ".tar");
        return File.Exists(path) ? (path, r) : null;
    }

    private static EngineException NoSuchImage(string reference) => EngineException.NotFound(
        $"No such image: {reference}. Load it with 'mydocker load -i FILE.tar' or import a rootfs with 'mydocker import FILE.tar {reference}'.");

    /// <summary>How a reference resolved: the image, and the tag row when it was named by tag.</summary>
    private sealed record Resolved(ImageView View, string? ViaTag);

    private async Task<Resolved?> TryResolveAsync(string text, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) throw EngineException.Invalid("an image reference is empty; name an image (busybox, busybox:latest or an id)");
        await using var db = state.Create();
        string hexPart = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        bool isHex = hexPart.Length > 0 && hexPart.All(Uri.IsHexDigit) && hexPart == hexPart.ToLowerInvariant();

        if (isHex && hexPart.Length == 64)
            return await LoadViewAsync(db, "sha256:" + hexPart, null, ct);
        if (!text.StartsWith("sha256:", StringComparison.Ordinal) && ImageReference.TryParse(text) is { } r)
        {
            string key = r.ToString();
            if (await db.ImageIdTaggedAsync(key, ct) is { } tagged) return await LoadViewAsync(db, tagged, key, ct);
        }
        if (isHex && hexPart.Length >= MinIdPrefix)
        {
            string prefix = "sha256:" + hexPart;
            var ids = await db.ImageIdsStartingWithAsync(prefix, 2, ct);
            if (ids.Count > 1)
                throw EngineException.Invalid($"image id prefix '{text}' matches more than one image; give more digits of the id");
            if (ids.Count == 1) return await LoadViewAsync(db, ids[0], null, ct);
        }
        return null;
    }

    private static async Task<Resolved?> LoadViewAsync(StateDb db, string id, string? viaTag, CancellationToken ct) =>
        await db.FindImageAsync(id, ct) is { } view ? new Resolved(view, viaTag) : null;

    /// <summary>The layer directories of <paramref name="image"/>, top layer first: an overlayfs lowerdir list.</summary>
    /// <exception cref="EngineException">InvalidArgument when the image lists a layer that is not a digest (a row a
    /// crafted archive left before digests were checked at load): no path is made from it.</exception>
    public IReadOnlyList<string> LowerDirs(ImageView image) =>
        image.Layers.Reverse().Select(layer => Digest.IsValid(layer) ? LayerDir(layer) : throw EngineException.Invalid(
            $"image {image.Id} lists a layer \"{layer}\" that is not a digest, so it cannot be used; remove it (mydocker rmi {Short(image.Id)}) and load it again")).ToArray();

    /// <summary>
    /// &lt;data-root&gt;/image/layers/&lt;hex&gt;, made only from a valid digest and checked to be a direct child of the
    /// layer store (audit C1: Path.Combine(root, "/etc") is "/etc", and ".." climbs out).
    /// </summary>
    /// <exception cref="EngineException">InvalidArgument when <paramref name="diffId"/> is not a digest.</exception>
    internal string LayerDir(string diffId)
    {
        string dir = Path.Combine(LayersRoot, Digest.Hex(diffId, "the layer diff_id"));
        if (!IsLayerStoreChild(dir)) throw new InvalidOperationException($"layer path {dir} is not directly inside the layer store {LayersRoot}");
        return dir;
    }

    /// <summary>True when <paramref name="path"/> names an entry directly inside layers/ (lexically, after normalisation).</summary>
    private bool IsLayerStoreChild(string path)
    {
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        return name is not ("" or "." or "..") && Path.GetDirectoryName(full) == Path.GetFullPath(LayersRoot).TrimEnd('/');
    }

    private static string Hex(string digest) => digest.StartsWith(Digest.Prefix, StringComparison.Ordinal) ? digest[7..] : digest;

    internal static string DigestOf(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Unpacks a layer into tmp and renames it to layers/&lt;diffID&gt; (or drops it when that layer exists already).
    /// When <paramref name="expectedDiffId"/> is given and differs, nothing is kept and the load is refused.
    /// </summary>
    private LayerExtractResult UnpackLayer(Stream tar, string what, string? expectedDiffId, CancellationToken ct)
    {
        EnsureStoreDirectories();
        string tmp = Path.Combine(TmpRoot, "layer-" + Guid.NewGuid().ToString("N"));
        var result = LayerExtractor.Extract(tar, tmp, what, ct);
        if (expectedDiffId is not null && result.DiffId != expectedDiffId)
        {
            LayerExtractor.DeleteTree(tmp);
            throw EngineException.Invalid(
                $"{what} does not match the image config: its content digest is {result.DiffId} but the config says {expectedDiffId}. " +
                "The tarball is corrupt; save or export the image again.");
        }
        string final = LayerDir(result.DiffId);
        if (IsLayerPresent(result.DiffId)) LayerExtractor.DeleteTree(tmp);
        else Directory.Move(tmp, final);
        return result;
    }

    /// <summary>image/, layers/ and tmp/ exist and are 0700 (audit M5: made with the umask's 0755 before).</summary>
    private void EnsureStoreDirectories()
    {
        PrivateDirectory.Ensure(ImageRoot, "image store directory");
        PrivateDirectory.Ensure(LayersRoot, "layer store directory");
        PrivateDirectory.Ensure(TmpRoot, "image temp directory");
    }

    /// <summary>Whether the layer <paramref name="diffId"/> (a valid digest) is unpacked already: a real directory, not a
    /// symlink, under its own name in the layer store. Only then may a load skip unpacking and verifying it.</summary>
    private bool IsLayerPresent(string diffId) =>
        Libc.StatOwner(LayerDir(diffId), noFollow: true) is { IsDirectory: true };

    /// <summary>Writes the image row (if new) and points the tags at it, in one transaction.</summary>
    private async Task<ImageView> StoreAsync(string id, string configJson, IReadOnlyList<string> layers, DateTimeOffset created, long size,
        IReadOnlyList<ImageReference> tags, CancellationToken ct)
    {
        await using var db = state.Create();
        var moved = await db.AddImageAsync(id, configJson, layers, created, size, tags.Select(t => t.ToString()), ct);
        foreach (var (tag, from) in moved) logger.LogInformation("Tag {Tag} moves from image {Old} to {New}", tag, from, id);
        return (await db.FindImageAsync(id, ct))!;
    }
}
