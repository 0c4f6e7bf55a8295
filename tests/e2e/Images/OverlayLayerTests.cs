using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine;
using MyDocker.Engine.Images;
using MyDocker.Engine.State;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Images;

/// <summary>
/// The unpacked layers work as the kernel's overlayfs expects: LowerDirs (top first) mounted as lowerdir hide what a
/// whiteout names and what an opaque directory covers. The mount lives under /tmp/mydocker-e2e-* and is unmounted in Dispose.
/// </summary>
public sealed class OverlayLayerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-e2e-overlay-").FullName;
    private string Mnt => Path.Combine(_root, "mnt");

    public void Dispose()
    {
        Command.TryRun("umount", [Mnt]);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static byte[] Tar(params (string Name, string? Content)[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, content) in entries)
                w.WriteEntry(content is null
                    ? new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ed }
                    : new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1a4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        return ms.ToArray();
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public async Task Whiteouts_and_opaque_dirs_hide_lower_files_in_a_real_overlay_mount()
    {
        var options = new EngineOptions { DataRoot = Path.Combine(_root, "data") };
        Directory.CreateDirectory(options.DataRoot);
        var state = new StateDbFactory(options.DatabasePath);
        state.Migrate();
        var images = new ImageService(options, state, new MyDocker.Engine.Events.EventHub(state), NullLogger<ImageService>.Instance);

        var bottom = Tar(("etc", null), ("etc/motd", "hello"), ("etc/keep", "k"), ("cache", null), ("cache/old", "o"));
        var top = Tar(("etc/.wh.motd", ""), ("cache", null), ("cache/.wh..wh..opq", ""), ("cache/new", "n"));
        var config = Encoding.UTF8.GetBytes($$$"""{"os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:{{{Hex(bottom)}}}","sha256:{{{Hex(top)}}}"]}}""");
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Add(string name, byte[] data) => w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("l1.tar", bottom);
            Add("l2.tar", top);
            Add("config.json", config);
            Add("manifest.json", Encoding.UTF8.GetBytes("""[{"Config":"config.json","RepoTags":["ov:1"],"Layers":["l1.tar","l2.tar"]}]"""));
        }
        ms.Position = 0;
        var image = Assert.Single(await images.LoadAsync(ms, default));

        Directory.CreateDirectory(Mnt);
        Command.Run("mount", ["-t", "overlay", "overlay", "-o", "lowerdir=" + string.Join(':', images.LowerDirs(image)), Mnt]);
        Assert.False(File.Exists(Path.Combine(Mnt, "etc/motd")), "the whiteout hides etc/motd");
        Assert.Equal("k", File.ReadAllText(Path.Combine(Mnt, "etc/keep")));
        Assert.False(File.Exists(Path.Combine(Mnt, "cache/old")), "the opaque cache/ hides the lower one's content");
        Assert.Equal("n", File.ReadAllText(Path.Combine(Mnt, "cache/new")));
    }
}
