using Microsoft.Extensions.Logging;
using MyDocker.Engine.Common;
using MyDocker.Engine.State;

namespace MyDocker.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Untags and deletes, as `docker rmi` does. Named by tag: the tag goes; the image goes too when that was its last
    /// tag. Named by id: every tag goes and the image with them (several tags need <paramref name="force"/>).
    /// An image a container record uses is never deleted (its layers are the container's lowerdirs): removing its last
    /// tag needs <paramref name="force"/>, and deleting it by id is refused until the container is removed.
    /// Layers no other image uses are deleted with the image.
    /// </summary>
    /// <returns>Docker's lines: "Untagged: busybox:latest", "Deleted: sha256:..." (the image, then its layers).</returns>
    /// <exception cref="EngineException">NotFound for an unknown image; Conflict when a container uses it or several tags need -f.</exception>
    public async Task<IReadOnlyList<string>> RemoveAsync(string reference, bool force, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var (image, viaTag) = await TryResolveAsync(reference, ct) ?? throw NoSuchImage(reference);
            await using var db = state.Create();
            var users = await db.ContainersUsingImageAsync(image.Id, ct);
            string usersText = string.Join(", ", users.Select(u => $"{u.Name} ({ShortId.Of(u.Id)})"));
            string fix = users.Count == 0 ? "" : $"remove the container first (mydocker rm -f {users[0].Name})";
            var lines = new List<string>();
            var untag = new List<string>();

            if (viaTag is not null)
            {
                if (users.Count > 0 && image.RepoTags.Count == 1 && !force)
                    throw EngineException.Conflict(
                        $"unable to remove image {viaTag}: container {usersText} uses it; {fix}, or untag it with -f (the image stays while a container uses it)");
                untag.Add(viaTag);
            }
            else
            {
                if (users.Count > 0)
                    throw EngineException.Conflict($"unable to delete image {Short(image.Id)}: container {usersText} uses it; {fix}");
                if (image.RepoTags.Count > 1 && !force)
                    throw EngineException.Conflict(
                        $"unable to delete image {Short(image.Id)} (must be forced): it is tagged {string.Join(", ", image.RepoTags)}; " +
                        "remove the tags one by one or use -f");
                untag.AddRange(image.RepoTags);
            }

            bool delete = users.Count == 0 && image.RepoTags.Except(untag).Any() == false;
            await db.RemoveImageAsync(untag, delete ? image.Id : null, ct);
            lines.AddRange(untag.Select(t => "Untagged: " + t));
            foreach (var t in untag) events.Publish(Events.EngineEvents.ImageUntagged(image.Id, t));
            if (!delete) return lines;
            events.Publish(Events.EngineEvents.ImageDeleted(image.Id, untag.FirstOrDefault() ?? image.Id));

            lines.Add("Deleted: " + image.Id);
            // After the commit: a crash from here on leaves only unreferenced layers, which CleanUpAfterCrash removes.
            var stillUsed = await db.LayersInUseAsync(ct);
            var teardown = new Teardown();
            foreach (var layer in image.Layers.Distinct())
            {
                if (stillUsed.Contains(layer)) continue;
                if (!Digest.IsValid(layer))
                {
                    // A row a crafted archive left before digests were checked at load (audit C1): "/etc" is no layer of ours.
                    logger.LogWarning("Image {Id} listed a layer {Layer} that is not a digest; no directory was deleted for it", image.Id, layer);
                    continue;
                }
                teardown.Step($"delete layer {layer}", () => DeleteLayerDir(LayerDir(layer)));
                lines.Add("Deleted: " + layer);
            }
            logger.LogInformation("Removed image {Id} ({Tags})", image.Id, string.Join(", ", untag));
            teardown.ThrowIfFailed($"removing the layers of image {image.Id}");
            return lines;
        }
        finally { _gate.Release(); }
    }

    private static string Short(string id) => Hex(id)[..12];

    /// <summary>Renames a layer into tmp before deleting it, so a crash mid-delete never leaves a partial layer under its
    /// final name. Refuses any path that is not an entry directly inside the layer store (audit C1).</summary>
    private void DeleteLayerDir(string dir)
    {
        if (!IsLayerStoreChild(dir))
            throw new InvalidOperationException($"refusing to delete {dir}: it is not a directory of the layer store {LayersRoot}");
        if (!Directory.Exists(dir)) return;
        EnsureStoreDirectories();
        string doomed = Path.Combine(TmpRoot, "del-" + Path.GetFileName(dir) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(dir, doomed);
        LayerExtractor.DeleteTree(doomed);
    }

    /// <summary>How long <see cref="CleanUpAfterCrash"/> waits for a running load, import or removal before it gives up.</summary>
    internal TimeSpan CleanUpGateTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Removes what a crash can leave: everything under image/tmp (half-unpacked layers, half-deleted ones, load spools)
    /// and layer directories no image row references. Called by the reconciler at start-up, before requests are served;
    /// takes the store's gate, so it is also safe later. Idempotent. Returns what it removed, for the reconcile report.
    /// <para>The wait for the gate is bounded: the reconciler calls this holding the network gate, and a load reading a
    /// slow upload holds the image gate for as long as the upload lasts (audit L7); then the clean-up is skipped.</para>
    /// </summary>
    /// <exception cref="EngineException">Conflict when a load, import or removal still holds the store after
    /// <see cref="CleanUpGateTimeout"/>; nothing was cleaned, the next reconcile tries again.</exception>
    public IReadOnlyList<string> CleanUpAfterCrash()
    {
        if (!_gate.Wait(CleanUpGateTimeout))
            throw EngineException.Conflict(
                $"the image store is busy (a load, import or removal has run for over {CleanUpGateTimeout.TotalSeconds:0} s); its clean-up was skipped and runs at the next reconcile");
        try
        {
            var removed = new List<string>();
            if (Directory.Exists(TmpRoot))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(TmpRoot))
                {
                    if (Directory.Exists(entry) && new FileInfo(entry).LinkTarget is null) LayerExtractor.DeleteTree(entry);
                    else File.Delete(entry);
                    removed.Add($"temporary image data {Path.GetFileName(entry)}");
                }
            }
            if (Directory.Exists(LayersRoot))
            {
                using var db = state.Create();
                var used = db.LayersInUseAsync(CancellationToken.None).GetAwaiter().GetResult();
                foreach (var dir in Directory.EnumerateFileSystemEntries(LayersRoot))
                {
                    string name = Path.GetFileName(dir);
                    if (used.Contains("sha256:" + name)) continue;
                    if (Directory.Exists(dir) && new FileInfo(dir).LinkTarget is null) DeleteLayerDir(dir);
                    else File.Delete(dir);
                    removed.Add($"unreferenced layer {name}");
                }
            }
            foreach (var r in removed) logger.LogInformation("Image store clean-up: removed {What}", r);
            return removed;
        }
        finally { _gate.Release(); }
    }
}
