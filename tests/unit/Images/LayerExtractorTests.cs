using System.Formats.Tar;
using MyDocker.Engine;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel.Interop;

namespace MyDocker.UnitTests.Images;

/// <summary>The layer extractor against the real file system (as root: devices, lchown, trusted.* xattrs).</summary>
public sealed class LayerExtractorTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mydocker-unit-layer-").FullName;
    private string Target => Path.Combine(_tmp, "rootfs");
    private string Outside => Path.Combine(_tmp, "outside");

    public LayerExtractorTests() => Directory.CreateDirectory(Outside);

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private LayerExtractResult Extract(byte[] tar) => LayerExtractor.Extract(new MemoryStream(tar), Target, "test layer");

    private EngineException Refused(byte[] tar)
    {
        var e = Assert.Throws<EngineException>(() => Extract(tar));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.False(Directory.Exists(Target), "a refused layer must leave nothing behind");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        return e;
    }

    [Fact]
    public void M5_a_root_entry_never_makes_the_layer_directory_group_or_world_writable()
    {
        Extract(new TarBuilder().Dir("./", 0x1ff).File("a", "a").Build());
        Assert.Equal((UnixFileMode)0x1ed, File.GetUnixFileMode(Target)); // 0777 in the layer, 0755 on disk
        Assert.Equal((UnixFileMode)0x1a4, File.GetUnixFileMode(Path.Combine(Target, "a")));
    }

    [Fact]
    public void Unpacks_every_kind_of_entry_with_owner_mode_and_time()
    {
        var tar = new TarBuilder()
            .Dir("./")
            .Dir("bin", 0x1ed)
            .File("bin/busybox", "ELF", mode: 0x1ed | 0x800, uid: 0, gid: 0) // setuid survives the chown
            .Symlink("bin/sh", "/bin/busybox")
            .HardLink("bin/ash", "bin/busybox")
            .Dir("home/user", 0x1c0, uid: 1000, gid: 1000)
            .File("home/user/.profile", "x", 0x180, 1000, 1000)
            .Special("dev/null", TarEntryType.CharacterDevice, 1, 3)
            .Special("dev/loop0", TarEntryType.BlockDevice, 7, 0, 0x1b0)
            .Special("run/fifo", TarEntryType.Fifo, mode: 0x1a4)
            .Dir("tmp", 0x3ff) // 1777
            .Build();
        var result = Extract(tar);

        Assert.Equal(TarBuilder.Sha256(tar), result.DiffId);
        Assert.Equal(4, result.Size);
        Assert.Equal("ELF", File.ReadAllText(Path.Combine(Target, "bin/busybox")));
        Assert.True(File.GetUnixFileMode(Path.Combine(Target, "bin/busybox")).HasFlag(UnixFileMode.SetUser));
        Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(Target, "bin/sh")).LinkTarget);
        Assert.Equal("ELF", File.ReadAllText(Path.Combine(Target, "bin/ash")));
        Assert.Equal(TarBuilder.Time, File.GetLastWriteTimeUtc(Path.Combine(Target, "bin/busybox")));
        Assert.Equal(TarBuilder.Time, Directory.GetLastWriteTimeUtc(Path.Combine(Target, "bin")));
        Assert.Equal((UnixFileMode)0x3ff, File.GetUnixFileMode(Path.Combine(Target, "tmp")));
        var home = Stat(Path.Combine(Target, "home/user"));
        Assert.Equal(("1000", "1000"), (home.Uid, home.Gid));
        Assert.Equal("c", Stat(Path.Combine(Target, "dev/null")).Type);
        Assert.Equal("1,3", Stat(Path.Combine(Target, "dev/null")).Dev);
        Assert.Equal("b", Stat(Path.Combine(Target, "dev/loop0")).Type);
        Assert.Equal("p", Stat(Path.Combine(Target, "run/fifo")).Type);
        // Implicit parents are 0755.
        Assert.Equal((UnixFileMode)0x1ed, File.GetUnixFileMode(Path.Combine(Target, "dev")));
    }

    [Fact]
    public void Dot_dot_escape_is_refused()
    {
        var e = Refused(new TarBuilder().File("ok", "1").File("../outside/evil", "x").Build());
        Assert.Contains("../outside/evil", e.Message);
        Refused(new TarBuilder().File("a/../../outside/evil", "x").Build());
    }

    [Fact]
    public void Dot_dot_that_stays_inside_is_allowed_like_docker()
    {
        Extract(new TarBuilder().File("a/../b", "x").Build());
        Assert.True(File.Exists(Path.Combine(Target, "b")));
    }

    [Fact]
    public void Absolute_names_land_inside_the_layer_like_docker()
    {
        Extract(new TarBuilder().File(Outside + "/evil", "x").File("/etc/passwd", "root").Build());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.Equal("root", File.ReadAllText(Path.Combine(Target, "etc/passwd")));
        Assert.True(File.Exists(Path.Combine(Target, Outside.TrimStart('/'), "evil")));
    }

    [Fact]
    public void Writing_through_an_absolute_symlink_is_refused()
    {
        var e = Refused(new TarBuilder().Symlink("evil", Outside).File("evil/pwned", "x").Build());
        Assert.Contains("symlink", e.Message);
        Refused(new TarBuilder().Symlink("evil", "../outside").Dir("evil/sub").Build());
        Refused(new TarBuilder().Symlink("d", Outside).Symlink("d/link", "/etc").Build());
        Refused(new TarBuilder().Symlink("d", Outside).Special("d/.wh.x", TarEntryType.RegularFile).Build());
    }

    [Fact]
    public void A_file_replacing_a_symlink_replaces_the_link_not_its_target()
    {
        File.WriteAllText(Path.Combine(Outside, "victim"), "safe");
        Extract(new TarBuilder().Symlink("f", Path.Combine(Outside, "victim")).File("f", "new").Build());
        Assert.Equal("safe", File.ReadAllText(Path.Combine(Outside, "victim")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(Target, "f")));
        Assert.Null(new FileInfo(Path.Combine(Target, "f")).LinkTarget);
        File.Delete(Path.Combine(Outside, "victim"));
    }

    [Fact]
    public void Hard_links_outside_the_layer_are_refused()
    {
        File.WriteAllText(Path.Combine(_tmp, "secret"), "s");
        Assert.Contains("outside", Refused(new TarBuilder().HardLink("h", "../secret").Build()).Message);
        // An absolute target means the layer's own path, which is not there.
        Refused(new TarBuilder().HardLink("h", Path.Combine(_tmp, "secret")).Build());
        // Nor through a symlinked directory.
        Refused(new TarBuilder().Symlink("up", _tmp).HardLink("h", "up/secret").Build());
    }

    [Fact]
    public void Whiteouts_become_overlayfs_whiteouts_and_opaque_dirs()
    {
        Extract(new TarBuilder()
            .Dir("etc")
            .File("etc/.wh.motd", "")
            .Dir("var/cache")
            .File("var/cache/.wh..wh..opq", "")
            .File("var/cache/new", "n")
            .File(".wh.gone", "")
            .Build());
        var motd = Stat(Path.Combine(Target, "etc/motd"));
        Assert.Equal(("c", "0,0", "0", "0"), (motd.Type, motd.Dev, motd.Uid, motd.Gid));
        Assert.Equal("c", Stat(Path.Combine(Target, "gone")).Type);
        Assert.False(File.Exists(Path.Combine(Target, "etc/.wh.motd")));
        Assert.Equal("y", Libc.GetXattr(Path.Combine(Target, "var/cache"), "trusted.overlay.opaque"));
        Assert.False(File.Exists(Path.Combine(Target, "var/cache/.wh..wh..opq")));
        Assert.True(File.Exists(Path.Combine(Target, "var/cache/new")));
    }

    [Fact]
    public void A_truncated_tarball_is_refused_and_leaves_nothing()
    {
        var tar = new TarBuilder().File("a", new byte[4000]).File("b", new byte[4000]).Build();
        var e = Refused(tar[..(512 + 2000)]);
        Assert.Contains("truncated", e.Message);
        Refused(tar[..(512 * 10 + 100)]);
    }

    [Fact]
    public void A_corrupt_header_is_refused()
    {
        var tar = new TarBuilder().File("a", "1").File("b", "2").Build();
        // Find the second header (after any pax header + data) and damage its checksum field.
        int idx = FindHeader(tar, "b");
        "0001234\0"u8.CopyTo(tar.AsSpan(idx + 148)); // a valid octal number, the wrong checksum
        var e = Refused(tar);
        Assert.Contains("corrupt", e.Message);
        Refused("this is not a tarball at all, just text that is long enough to fill a block"u8.ToArray().Concat(new byte[600]).ToArray());
    }

    [Fact]
    public void Gzip_layers_are_detected_by_magic_and_hashed_uncompressed()
    {
        var tar = new TarBuilder().File("hello", "world").Build();
        var result = Extract(TarBuilder.Gzip(tar));
        Assert.Equal(TarBuilder.Sha256(tar), result.DiffId);
        Assert.Equal("world", File.ReadAllText(Path.Combine(Target, "hello")));
    }

    [Fact]
    public void A_truncated_gzip_layer_is_refused()
    {
        var gz = TarBuilder.Gzip(new TarBuilder().File("a", new byte[100_000]).File("b", new byte[10]).Build());
        Refused(gz[..(gz.Length / 2)]);
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    [InlineData("ustar")]
    public void Reads_what_gnu_tar_writes_long_names_hard_links_and_all(string format)
    {
        string src = Path.Combine(_tmp, "src");
        string deep = Path.Combine(src, new string('d', 90), new string('e', 90));
        Directory.CreateDirectory(deep);
        string longName = Path.Combine(deep, new string('f', 120));
        File.WriteAllText(longName, "long");
        File.WriteAllBytes(Path.Combine(src, "big"), new byte[1_000_003]);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "/" + new string('t', 150));
        Libc.Check(Libc.Link(Path.Combine(src, "big"), Path.Combine(src, "big2")), "link");
        string tarPath = Path.Combine(_tmp, "gnu.tar");
        var psi = new System.Diagnostics.ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (var a in new[] { "--format=" + format, "-C", src, "-cf", tarPath, "." }) psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.StandardError.Dispose();
            p.WaitForExit();
            if (format == "ustar" && p.ExitCode != 0) return; // ustar cannot hold these names: nothing to test
            Assert.True(p.ExitCode == 0, err);
        }
        var bytes = File.ReadAllBytes(tarPath);
        var result = Extract(bytes);
        Assert.Equal(TarBuilder.Sha256(bytes), result.DiffId);
        Assert.Equal("long", File.ReadAllText(Path.Combine(Target, Path.GetRelativePath(src, longName))));
        Assert.Equal(1_000_003, new FileInfo(Path.Combine(Target, "big2")).Length);
        Assert.Equal("/" + new string('t', 150), new FileInfo(Path.Combine(Target, "link")).LinkTarget);
    }

    private static int FindHeader(byte[] tar, string name)
    {
        for (int off = 0; off + 512 <= tar.Length; off += 512)
            if (tar[off + 156] == (byte)'0' && System.Text.Encoding.ASCII.GetString(tar, off, name.Length) == name && tar[off + name.Length] == 0)
                return off;
        throw new InvalidOperationException("header not found");
    }

    private static (string Type, string Dev, string Uid, string Gid) Stat(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "%A %t,%T %u %g", path }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.StandardOutput.Dispose();
        p.WaitForExit();
        var parts = output.Split(' ');
        var dev = parts[1].Split(',').Select(h => Convert.ToInt32(h, 16).ToString());
        return (parts[0][..1] == "-" ? "f" : parts[0][..1], string.Join(",", dev), parts[2], parts[3]);
    }
}
