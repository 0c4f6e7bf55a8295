using System.Formats.Tar;

namespace MyDocker.Engine.Images;

/// <summary>
/// An image archive (`docker save` or OCI image layout) spooled to a temp directory, because its index
/// (manifest.json / index.json) may come after the layers it lists and the upload stream can be read only once.
/// Only regular files are written; symlinks and hard links in the archive (Docker 25+ saves "ID/layer.tar" as a
/// symlink to "../blobs/sha256/HEX") are kept as aliases and resolved lexically inside the archive. Dispose deletes it.
/// </summary>
internal sealed class ImageArchive : IDisposable
{
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    public string Dir { get; }

    private ImageArchive(string dir) => Dir = dir;

    public static ImageArchive Spool(Stream archive, string tmpRoot, CancellationToken ct)
    {
        var spool = new ImageArchive(Path.Combine(tmpRoot, "load-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(spool.Dir, Common.PrivateDirectory.Mode);
        string last = "(the first entry)";
        try
        {
            using var tar = Compression.OpenTar(archive, "the image tarball");
            using var verified = new HashingReadStream(tar);
            using var reader = new TarReader(verified, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                string? rel = LayerExtractor.CleanRelative(entry.Name);
                if (rel is null || entry.Name.Contains('\0'))
                    throw EngineException.Invalid($"the image tarball is unsafe: entry '{entry.Name}' climbs out of the archive with '..'");
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile when rel.Length > 0:
                        string path = Path.Combine(spool.Dir, rel);
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!, Common.PrivateDirectory.Mode);
                        File.Delete(path);
                        long written;
                        using (var file = new FileStream(path, new FileStreamOptions
                               {
                                   Mode = FileMode.CreateNew, Access = FileAccess.Write,
                                   UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                               }))
                        {
                            entry.DataStream?.CopyTo(file);
                            written = file.Length;
                        }
                        if (written != entry.Length)
                            throw new EndOfStreamException($"entry '{entry.Name}' should hold {entry.Length} bytes but the tarball ends after {written}");
                        spool._files.Add(rel);
                        spool._aliases.Remove(rel);
                        break;
                    case TarEntryType.SymbolicLink:
                        int slash = rel.LastIndexOf('/');
                        spool._aliases[rel] = (slash < 0 ? "" : rel[..slash] + "/") + entry.LinkName;
                        break;
                    case TarEntryType.HardLink:
                        spool._aliases[rel] = entry.LinkName;
                        break;
                }
                last = $"'{entry.Name}'";
            }
            verified.Finish();
            return spool;
        }
        catch (Exception e) when (Compression.IsMalformedInput(e))
        {
            spool.Dispose();
            throw new EngineException(ErrorKind.InvalidArgument,
                $"the image tarball is corrupt or truncated (after entry {last}): {e.Message}. Nothing was loaded; check the file (tar -tvf) and load it again.", e);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>The spooled file an archive path names (following the archive's own links), or null if it has none.</summary>
    public string? Find(string name)
    {
        string? rel = LayerExtractor.CleanRelative(name);
        for (int hops = 0; rel is not null && hops < 16; hops++)
        {
            if (_files.Contains(rel)) return Path.Combine(Dir, rel);
            if (!_aliases.TryGetValue(rel, out var target) || target.StartsWith('/')) return null;
            rel = LayerExtractor.CleanRelative(target);
        }
        return null;
    }

    /// <summary>Like <see cref="Find"/> but a missing file is an InvalidArgument naming what it should have been.</summary>
    public string Require(string name, string role) => Find(name) ?? throw EngineException.Invalid(
        $"the image tarball is incomplete: {role} '{name}' is missing from it. Save the image again.");

    public byte[] ReadAll(string name, string role) => File.ReadAllBytes(Require(name, role));

    public void Dispose() => LayerExtractor.DeleteTree(Dir);
}
