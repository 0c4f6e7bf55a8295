using System.Formats.Tar;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.Engine.Images;

/// <summary>What unpacking a layer produced.</summary>
/// <param name="DiffId">"sha256:" + digest of the uncompressed layer tar (the OCI diffID).</param>
/// <param name="Size">Bytes of regular-file content unpacked.</param>
public sealed record LayerExtractResult(string DiffId, long Size);

/// <summary>
/// Unpacks one layer tarball (plain or gzip) into a new directory, refusing anything that could write outside it.
/// <list type="bullet">
/// <item>Names are cleaned lexically. A leading '/' is dropped, as Docker does (it joins the cleaned name onto the
/// layer root, so "/etc/passwd" lands in the rootfs's etc/passwd); a name whose ".." components climb above the root
/// is refused, as Docker's "breakout" check refuses it (moby pkg/archive, createTarFile).</item>
/// <item>No symlink is ever followed: if a parent directory of an entry is a symlink (a layer that first makes
/// "x -> /etc" and then writes "x/passwd" — the "absolute symlink followed on extraction" attack), the entry is
/// refused. Docker resolves such paths inside a chroot instead; refusing is stricter and cannot be fooled.
/// Ownership and times are set with lchown/utimensat(AT_SYMLINK_NOFOLLOW), and files are created with O_EXCL.</item>
/// <item>Hard links may only point at an entry already unpacked inside the layer.</item>
/// <item>OCI/Docker whiteouts become overlayfs ones: ".wh.NAME" a 0/0 character device NAME, ".wh..wh..opq" the
/// xattr trusted.overlay.opaque=y on its directory (OCI image-spec layer.md, "Whiteouts").</item>
/// </list>
/// Needs root (mknod, lchown, trusted.* xattrs). Stateless and thread-safe; each call owns its target directory.
/// </summary>
public static class LayerExtractor
{
    /// <summary>The mode a layer directory starts with (a root filesystem's usual 0755) until a root entry sets its own.</summary>
    private const UnixFileMode RootMode = (UnixFileMode)0b111_101_101;
    private const uint GroupOtherWrite = 0b000_010_010;
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private static readonly byte[] OpaqueValue = "y"u8.ToArray();

    /// <summary>
    /// Unpacks <paramref name="layer"/> into <paramref name="targetDir"/>, which must not exist yet. On any failure the
    /// directory is deleted again, so nothing half-unpacked is left, and the error is an
    /// <see cref="EngineException"/> (InvalidArgument) naming <paramref name="what"/> and the entry for bad input.
    /// </summary>
    public static LayerExtractResult Extract(Stream layer, string targetDir, string what, CancellationToken ct = default)
    {
        if (Path.Exists(targetDir)) throw new IOException($"layer target {targetDir} exists already");
        Directory.CreateDirectory(targetDir, RootMode);
        try
        {
            return ExtractInto(layer, Path.GetFullPath(targetDir), what, ct);
        }
        catch
        {
            DeleteTree(targetDir);
            throw;
        }
    }

    private static LayerExtractResult ExtractInto(Stream layer, string root, string what, CancellationToken ct)
    {
        var dirTimes = new List<(string Path, DateTimeOffset Time)>();
        long size = 0;
        string lastEntry = "(the first entry)";
        try
        {
            using var tarStream = Compression.OpenTar(layer, what);
            using var hashing = new HashingReadStream(tarStream);
            using (var reader = new TarReader(hashing, leaveOpen: true))
            {
                while (reader.GetNextEntry(copyData: false) is { } entry)
                {
                    ct.ThrowIfCancellationRequested();
                    size += Apply(entry, root, what, dirTimes);
                    lastEntry = $"'{entry.Name}'";
                }
            }
            string diffId = hashing.Finish();
            // Directory times last: creating entries inside a directory changes its mtime.
            foreach (var (path, time) in dirTimes) Libc.SetTimesNoFollow(path, time);
            return new LayerExtractResult(diffId, size);
        }
        catch (Exception e) when (Compression.IsMalformedInput(e))
        {
            throw new EngineException(ErrorKind.InvalidArgument,
                $"{what} is corrupt or truncated (after entry {lastEntry}): {e.Message}. Nothing of it was kept; check the file (tar -tvf) and load it again.", e);
        }
    }

    /// <summary>Creates one entry; returns the bytes of file content written.</summary>
    private static long Apply(TarEntry entry, string root, string what, List<(string, DateTimeOffset)> dirTimes)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) return 0;
        string name = entry.Name;
        if (name.Contains('\0')) throw Refuse(what, name, "the name contains a NUL byte");
        string? rel = CleanRelative(name) ?? throw Refuse(what, name, "the name climbs out of the layer with '..'");
        string baseName = rel.Length == 0 ? "" : rel[(rel.LastIndexOf('/') + 1)..];

        if (baseName.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(root, rel, baseName, what, name);
            return 0;
        }

        string path = rel.Length == 0 ? root : root + "/" + rel;
        if (rel.Length > 0) EnsureParents(root, rel, what, name);
        var mode = (uint)entry.Mode & 0xfff;
        long written = 0;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!IsRealDirectory(path))
                {
                    RemoveExisting(path);
                    Directory.CreateDirectory(path);
                }
                dirTimes.Add((path, entry.ModificationTime));
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                if (rel.Length == 0) throw Refuse(what, name, "a file cannot replace the layer's root directory");
                RemoveExisting(path);
                using (var file = new FileStream(path, new FileStreamOptions
                       {
                           Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                           UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                       }))
                {
                    if (entry.DataStream is { } data) data.CopyTo(file);
                    written = file.Length;
                }
                if (written != entry.Length)
                    throw new EndOfStreamException($"entry '{name}' should hold {entry.Length} bytes but the tarball ends after {written}");
                break;
            case TarEntryType.SymbolicLink:
                if (rel.Length == 0) throw Refuse(what, name, "a symlink cannot replace the layer's root directory");
                RemoveExisting(path);
                Libc.Check(Libc.Symlink(entry.LinkName, path), "symlink", path);
                break;
            case TarEntryType.HardLink:
            {
                if (rel.Length == 0) throw Refuse(what, name, "a hard link cannot replace the layer's root directory");
                string? targetRel = CleanRelative(entry.LinkName);
                if (string.IsNullOrEmpty(targetRel)) throw Refuse(what, name, $"its hard link target '{entry.LinkName}' is outside the layer");
                EnsureParents(root, targetRel, what, name, create: false);
                string target = root + "/" + targetRel;
                var attrs = Lstat(target);
                if (attrs is null) throw Refuse(what, name, $"its hard link target '{entry.LinkName}' is not in the layer (a hard link must point at an earlier entry)");
                if ((attrs.Value & FileAttributes.Directory) != 0 && (attrs.Value & FileAttributes.ReparsePoint) == 0)
                    throw Refuse(what, name, $"its hard link target '{entry.LinkName}' is a directory");
                if (target == path) return 0;
                RemoveExisting(path);
                Libc.Check(Libc.Link(target, path), "link", $"{path} -> {target}");
                return 0; // shares the target's inode and metadata
            }
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
            {
                if (rel.Length == 0) throw Refuse(what, name, "a device cannot replace the layer's root directory");
                RemoveExisting(path);
                var posix = (PosixTarEntry)entry;
                uint type = entry.EntryType switch
                {
                    TarEntryType.CharacterDevice => Libc.S_IFCHR,
                    TarEntryType.BlockDevice => Libc.S_IFBLK,
                    _ => Libc.S_IFIFO,
                };
                ulong dev = type == Libc.S_IFIFO ? 0 : Libc.MakeDev((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
                Libc.Check(Libc.MkNod(path, type | mode, dev), "mknod", path);
                break;
            }
            default:
                throw Refuse(what, name, $"entry type {entry.EntryType} is not supported");
        }

        Libc.Check(Libc.LChown(path, entry.Uid, entry.Gid), "lchown", path);
        // The layer's own directory takes the root entry's metadata, as in Docker, but never group/world write
        // (audit M5): a "./" entry with mode 0777 would let any user who reaches the layer change every container of the image.
        if (rel.Length == 0) mode &= ~GroupOtherWrite;
        // After lchown: changing the owner clears set-user-ID and set-group-ID bits.
        if (entry.EntryType != TarEntryType.SymbolicLink) File.SetUnixFileMode(path, (UnixFileMode)mode);
        if (entry.EntryType != TarEntryType.Directory) Libc.SetTimesNoFollow(path, entry.ModificationTime);
        return written;
    }

    private static void ApplyWhiteout(string root, string rel, string baseName, string what, string name)
    {
        int slash = rel.LastIndexOf('/');
        string parentRel = slash < 0 ? "" : rel[..slash];
        string parent = parentRel.Length == 0 ? root : root + "/" + parentRel;
        if (parentRel.Length > 0)
        {
            EnsureParents(root, rel, what, name);
        }
        if (baseName == OpaqueMarker)
        {
            Libc.SetXattr(parent, "trusted.overlay.opaque", OpaqueValue);
            return;
        }
        if (baseName.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
            return; // other ".wh..wh." names are aufs bookkeeping (hard-link dirs); Docker skips them too
        string hidden = baseName[WhiteoutPrefix.Length..];
        if (hidden is "" or "." or "..") throw Refuse(what, name, "the whiteout names no file");
        string path = parent + "/" + hidden;
        RemoveExisting(path);
        Libc.Check(Libc.MkNod(path, Libc.S_IFCHR, 0), "mknod (whiteout)", path);
        Libc.Check(Libc.LChown(path, 0, 0), "lchown", path);
    }

    /// <summary>
    /// The entry's name as a path relative to the layer root ("a/b", "" for the root itself), or null when ".."
    /// climbs above the root. Empty and "." components and leading slashes are dropped.
    /// </summary>
    public static string? CleanRelative(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Checks every parent directory of <paramref name="rel"/> without following symlinks, creating missing ones
    /// (0755, root-owned, like Docker's implicit parents).</summary>
    private static void EnsureParents(string root, string rel, string what, string name, bool create = true)
    {
        string current = root;
        int start = 0;
        while (true)
        {
            int slash = rel.IndexOf('/', start);
            if (slash < 0) return;
            string component = rel[..slash];
            current = root + "/" + component;
            start = slash + 1;
            var attrs = Lstat(current);
            if (attrs is null)
            {
                if (!create) throw Refuse(what, name, $"'{component}' does not exist in the layer");
                Directory.CreateDirectory(current);
                File.SetUnixFileMode(current, (UnixFileMode)0b111_101_101);
                continue;
            }
            if ((attrs.Value & FileAttributes.ReparsePoint) != 0)
                throw Refuse(what, name, $"its parent '{component}' is a symlink, and unpacking through it could write outside the image");
            if ((attrs.Value & FileAttributes.Directory) == 0)
                throw Refuse(what, name, $"its parent '{component}' is not a directory");
        }
    }

    /// <summary>lstat's view of <paramref name="path"/>: ReparsePoint marks a symlink; null when nothing is there.</summary>
    private static FileAttributes? Lstat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists || info.LinkTarget is not null || Directory.Exists(path) ? info.Attributes : null;
    }

    private static bool IsRealDirectory(string path) =>
        Lstat(path) is { } a && (a & FileAttributes.Directory) != 0 && (a & FileAttributes.ReparsePoint) == 0;

    /// <summary>Removes whatever is at <paramref name="path"/> (a symlink itself, never its target).</summary>
    private static void RemoveExisting(string path)
    {
        if (Lstat(path) is not { } attrs) return;
        if ((attrs & FileAttributes.Directory) != 0 && (attrs & FileAttributes.ReparsePoint) == 0) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }

    /// <summary>Deletes a directory tree without following symlinks; "already gone" is success.</summary>
    public static void DeleteTree(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static EngineException Refuse(string what, string entry, string why) =>
        EngineException.Invalid($"{what}: refusing entry '{entry}': {why}. Nothing of the layer was kept.");
}
