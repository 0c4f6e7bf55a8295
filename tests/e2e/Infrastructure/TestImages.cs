using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// Image tarballs the tests share, built once per test run into a temp dir (deleted when the test process exits).
/// <see cref="BusyboxTar"/> is scripts/make-busybox-image.sh's rootfs from Debian's busybox-static: import it with
/// <c>mydocker import PATH busybox</c>, or copy it to &lt;data-root&gt;/image/busybox.tar for the seed's way.
/// </summary>
public static class TestImages
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-e2e-images-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    });

    private static readonly Lazy<string> Busybox = new(() =>
    {
        string path = Path.Combine(Dir.Value, "busybox.tar");
        Command.Run(Path.Combine(Artifacts.RepoRoot, "scripts", "make-busybox-image.sh"), [path]);
        return path;
    });

    /// <summary>A plain (uncompressed) busybox rootfs tarball; the same bytes every time it is built.</summary>
    public static string BusyboxTar => Busybox.Value;

    /// <summary>
    /// Writes a `docker save` archive (legacy layout: manifest.json, CONFIGHEX.json, LAYERHEX/layer.tar) of one image whose
    /// only layer is <paramref name="rootfsTar"/>, with the given default command, env and working directory.
    /// Returns the archive's path and the image id Docker would give it.
    /// </summary>
    public static (string Path, string Id) DockerSave(
        string rootfsTar, string tag, string[] cmd, string[]? env = null, string? workingDir = null, string? user = null)
    {
        byte[] layer = File.ReadAllBytes(rootfsTar);
        string diffHex = Convert.ToHexStringLower(SHA256.HashData(layer));
        string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-05-01T12:00:00Z\",\"config\":{" +
            "\"Cmd\":[" + string.Join(",", cmd.Select(Quote)) + "]" +
            (env is null ? "" : ",\"Env\":[" + string.Join(",", env.Select(Quote)) + "]") +
            (workingDir is null ? "" : ",\"WorkingDir\":" + Quote(workingDir)) +
            (user is null ? "" : ",\"User\":" + Quote(user)) +
            "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + diffHex + "\"]}}";
        byte[] configBytes = Encoding.UTF8.GetBytes(config);
        string configHex = Convert.ToHexStringLower(SHA256.HashData(configBytes));
        string manifest = "[{\"Config\":\"" + configHex + ".json\",\"RepoTags\":[" + Quote(tag) + "],\"Layers\":[\"" + diffHex + "/layer.tar\"]}]";
        string path = Path.Combine(Dir.Value, $"save-{Guid.NewGuid():N}.tar");
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] data) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(data), Mode = (UnixFileMode)0x1a4, ModificationTime = DateTimeOffset.UnixEpoch,
            });
            Add(diffHex + "/layer.tar", layer);
            Add(configHex + ".json", configBytes);
            Add("manifest.json", Encoding.UTF8.GetBytes(manifest));
        }
        return (path, "sha256:" + configHex);
    }

    /// <summary>The busybox rootfs with some entries replaced (matched by name, e.g. "./etc/passwd") or added.</summary>
    public static string BusyboxWith(params TarEntry[] replacements)
    {
        var names = replacements.Select(r => r.Name).ToHashSet();
        string path = Path.Combine(Dir.Value, $"busybox-variant-{Guid.NewGuid():N}.tar");
        using (var source = File.OpenRead(BusyboxTar))
        using (var reader = new TarReader(source))
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Gnu))
        {
            while (reader.GetNextEntry(copyData: true) is { } entry)
                if (!names.Contains(entry.Name)) tar.WriteEntry(entry);
            foreach (var r in replacements) tar.WriteEntry(r);
        }
        return path;
    }

    /// <summary>A regular file entry for <see cref="BusyboxWith"/>.</summary>
    public static TarEntry TextFile(string name, string text) => new GnuTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0x1a4, ModificationTime = DateTimeOffset.UnixEpoch,
    };

    /// <summary>A rootfs tarball that makes "escape" a symlink to <paramref name="outsideDir"/>, then writes escape/pwned through it.</summary>
    public static string SymlinkEscapeTar(string outsideDir)
    {
        string path = Path.Combine(Dir.Value, $"evil-{Guid.NewGuid():N}.tar");
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "escape") { LinkName = outsideDir });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "escape/pwned") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }
        return path;
    }

    /// <summary>A rootfs tarball with an entry named "../../pwned".</summary>
    public static string DotDotEscapeTar()
    {
        string path = Path.Combine(Dir.Value, $"dotdot-{Guid.NewGuid():N}.tar");
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../../pwned") { DataStream = new MemoryStream("x"u8.ToArray()) });
        return path;
    }

    /// <summary>The first half of <paramref name="tarball"/>, in a new file.</summary>
    public static string Truncated(string tarball)
    {
        var bytes = File.ReadAllBytes(tarball);
        string path = Path.Combine(Dir.Value, $"truncated-{Guid.NewGuid():N}.tar");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        return path;
    }
}
