using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine;
using MyDocker.Engine.Common;
using MyDocker.Engine.Images;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Images;

/// <summary>
/// The security audit's image findings against the real store (temporary data root, real SQLite, as root): C1 (diff_ids
/// used as paths), M6 (malformed configs), L7 (archive bounds and error kinds) and the image side of M5 (modes).
/// </summary>
public sealed class ImageSecurityTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-unit-imgsec-").FullName;
    private readonly StateDbFactory _state;
    private readonly ImageService _images;

    public ImageSecurityTests()
    {
        var options = new EngineOptions { DataRoot = Path.Combine(_root, "data"), ExecRoot = Path.Combine(_root, "exec") };
        Directory.CreateDirectory(options.DataRoot);
        _state = MigratedDatabase.CopyTo(options.DatabasePath);
        _images = new ImageService(options, _state, new MyDocker.Engine.Events.EventHub(_state), NullLogger<ImageService>.Instance)
        {
            CleanUpGateTimeout = TimeSpan.FromMilliseconds(50),
        };
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static readonly byte[] Layer1 = new TarBuilder().Dir("bin").File("bin/a", "a").Build();
    private static readonly byte[] Layer2 = new TarBuilder().File("etc/motd", "hello").Build();

    /// <summary>An image config as JSON text; <paramref name="diffIds"/> are written as given (JSON values).</summary>
    private static byte[] Config(string innerConfig, params string[] diffIds) => Encoding.UTF8.GetBytes(
        """{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":""" + innerConfig +
        ""","rootfs":{"type":"layers","diff_ids":[""" + string.Join(",", diffIds) + "]}}");

    private static string Q(string s) => "\"" + s + "\"";

    private async Task<EngineException> RefusedLoad(byte[] archive)
    {
        var e = await Assert.ThrowsAsync<EngineException>(() => _images.LoadAsync(new MemoryStream(archive), default));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(await _images.ListAsync(default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.LayersRoot));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
        return e;
    }

    // ---- C1 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"/etc\"")]
    [InlineData("\"sha256:../../x\"")]
    [InlineData("\"../../../../tmp\"")]
    [InlineData("\"\"")]
    [InlineData("\"sha256:\"")]
    [InlineData("\"sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\"")]
    [InlineData("\"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678\"")] // 63 digits
    [InlineData("\"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567890\"")] // 65 digits
    [InlineData("\"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"")] // no algorithm
    [InlineData("\"sha512:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"")]
    [InlineData("\"sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789/\"")]
    [InlineData("1")]
    [InlineData("null")]
    public async Task C1_a_diff_id_that_is_not_a_digest_is_refused_before_any_layer_is_unpacked(string diffId)
    {
        // The first layer is honest: it must not be unpacked either, the config is checked first.
        var config = Config("{}", Q(TarBuilder.Sha256(Layer1)), diffId);
        var e = await RefusedLoad(ImageServiceTests.DockerSave(config, ["evil:1"], Layer1, Layer2));
        Assert.Contains("diff_id", e.Message);
    }

    [Fact]
    public async Task C1_a_diff_id_naming_a_host_directory_leaves_that_directory_alone()
    {
        string outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "marker"), "mine");
        foreach (var diffId in new[] { outside, "sha256:" + outside, "sha256:../../../outside", "../../../outside" })
        {
            var config = Config("{}", Q(TarBuilder.Sha256(Layer1)), Q(diffId));
            await RefusedLoad(ImageServiceTests.DockerSave(config, ["evil:1"], Layer1, Layer2));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(outside, "marker")));
            Assert.Single(Directory.EnumerateFileSystemEntries(outside));
        }
    }

    [Fact]
    public void C1_LayerDir_is_made_only_from_a_digest_and_is_a_direct_child_of_the_layer_store()
    {
        foreach (var bad in new[] { "/tmp/x", "", "sha256:../../x", "sha256:" + new string('A', 64), "sha256:" + new string('a', 63) })
            Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => _images.LayerDir(bad)).Kind);
        string good = _images.LayerDir("sha256:" + new string('a', 64));
        Assert.Equal(Path.Combine(_images.LayersRoot, new string('a', 64)), good);
    }

    [Fact]
    public async Task C1_an_oci_descriptor_digest_that_is_not_a_digest_is_refused()
    {
        var index = """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../../etc/passwd","size":1}]}""";
        var archive = new TarBuilder().File("oci-layout", """{"imageLayoutVersion":"1.0.0"}""").File("index.json", index).Build();
        Assert.Contains("not a digest", (await RefusedLoad(archive)).Message);
    }

    [Fact]
    public async Task C1_an_image_row_that_lists_a_host_path_as_layer_is_never_mounted_and_its_rmi_deletes_nothing_outside()
    {
        // A row a crafted archive could leave before digests were checked at load.
        string outside = Path.Combine(_root, "victim");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "marker"), "mine");
        string id = "sha256:" + new string('b', 64);
        await using (var db = _state.Create())
        {
            db.Images.Add(new ImageEntity { Id = id, LayersJson = $"[\"{outside}\",\"\",\"../../victim\"]", ConfigJson = "{}" });
            db.ImageTags.Add(new ImageTagEntity { Reference = "evil:latest", ImageId = id });
            await db.SaveChangesAsync();
        }
        var image = await _images.GetAsync("evil", default);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => _images.LowerDirs(image)).Kind);

        Assert.Equal(["Untagged: evil:latest", "Deleted: " + id], await _images.RemoveAsync("evil", force: false, default));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outside, "marker")));
        Assert.Empty(await _images.ListAsync(default));
    }

    // ---- M6 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"Cmd":[1]}""", "config.Cmd")]
    [InlineData("""{"Cmd":{"a":"b"}}""", "config.Cmd")]
    [InlineData("""{"Entrypoint":[true]}""", "config.Entrypoint")]
    [InlineData("""{"Env":"A=1"}""", "config.Env")]
    [InlineData("""{"Env":["A=1",2]}""", "config.Env")]
    [InlineData("""{"WorkingDir":5}""", "config.WorkingDir")]
    [InlineData("""{"User":[]}""", "config.User")]
    [InlineData("""{"ExposedPorts":{"80/tcp":1}}""", "config.ExposedPorts")]
    [InlineData("""{"ExposedPorts":["80/tcp"]}""", "config.ExposedPorts")]
    [InlineData("""{"Labels":{"a":1}}""", "config.Labels")]
    [InlineData("""{"Volumes":"/data"}""", "config.Volumes")]
    [InlineData("""{"StopTimeout":"10"}""", "config.StopTimeout")]
    [InlineData("""{"Healthcheck":{"Test":[1]}}""", "config.Healthcheck.Test")]
    [InlineData("""{"Tty":"yes"}""", "config.Tty")]
    [InlineData("""[]""", "config")]
    public async Task M6_a_config_with_a_field_of_the_wrong_type_is_refused_at_load(string inner, string field)
    {
        var config = Config(inner, Q(TarBuilder.Sha256(Layer1)), Q(TarBuilder.Sha256(Layer2)));
        var e = await RefusedLoad(ImageServiceTests.DockerSave(config, ["bad:1"], Layer1, Layer2));
        Assert.Contains($"\"{field}\"", e.Message);
    }

    [Fact]
    public async Task M6_a_string_Cmd_and_null_fields_load_as_Docker_reads_them()
    {
        var config = Config("""{"Cmd":"echo hi","Env":null,"Labels":{"a":"b"},"ExposedPorts":{"80/tcp":{}},"Healthcheck":{"Test":["CMD","true"],"Retries":3}}""",
            Q(TarBuilder.Sha256(Layer1)), Q(TarBuilder.Sha256(Layer2)));
        var image = Assert.Single(await _images.LoadAsync(new MemoryStream(ImageServiceTests.DockerSave(config, ["ok:1"], Layer1, Layer2)), default));
        Assert.Equal(["echo hi"], image.Config.Cmd);
        Assert.Empty(image.Config.Env);
    }

    [Fact]
    public async Task M6_a_malformed_row_in_the_store_still_lets_every_image_be_listed_resolved_and_removed()
    {
        var good = await _images.ImportRootfsAsync(new MemoryStream(Layer1), "good", default);
        string badId = "sha256:" + new string('c', 64), junkId = "sha256:" + new string('d', 64);
        await using (var db = _state.Create())
        {
            db.Images.Add(new ImageEntity { Id = badId, LayersJson = "[1, \"x\"]", ConfigJson = """{"Cmd":[1,"a"],"Env":{"x":1},"WorkingDir":3,"Entrypoint":"sh"}""" });
            db.Images.Add(new ImageEntity { Id = junkId, LayersJson = "not json", ConfigJson = "{not json" });
            db.ImageTags.Add(new ImageTagEntity { Reference = "bad:latest", ImageId = badId });
            await db.SaveChangesAsync();
        }
        Assert.Equal(3, (await _images.ListAsync(default)).Count);
        var bad = await _images.GetAsync("bad", default);
        Assert.Equal(["1", "a"], bad.Config.Cmd);
        Assert.Equal(["sh"], bad.Config.Entrypoint);
        Assert.Empty(bad.Config.Env);
        Assert.Null(bad.Config.WorkingDir);
        Assert.Equal(["x"], bad.Layers);
        Assert.Equal(ImageConfig.Empty, ImageConfig.FromJson("{not json"));

        await _images.RemoveAsync("bad", force: false, default);
        await _images.RemoveAsync(junkId, force: false, default);
        Assert.Equal(good.Id, Assert.Single(await _images.ListAsync(default)).Id);
        Assert.True(Directory.Exists(Assert.Single(_images.LowerDirs(good))));
    }

    // ---- L7 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData('x', "PAX extended header")]
    [InlineData('g', "PAX extended header")]
    [InlineData('L', "GNU long name")]
    public async Task L7_a_100_MB_special_header_is_refused_before_the_tar_reader_reads_it(char type, string kind)
    {
        const long declared = 100L << 20;
        var load = new GeneratedStream(TarBuilder.RawHeader("big", type, declared));
        var e = await Assert.ThrowsAsync<EngineException>(() => _images.LoadAsync(load, default));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(kind, e.Message);
        Assert.Contains("image tarball", e.Message);
        // The reader never got past the header: its allocation is bounded by the stream buffers, not by the header.
        Assert.True(load.BytesRead < 1 << 20, $"read {load.BytesRead} bytes of a header declaring {declared}");

        var import = new GeneratedStream(TarBuilder.RawHeader("big", type, declared));
        e = await Assert.ThrowsAsync<EngineException>(() => _images.ImportRootfsAsync(import, "big", default));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("rootfs tarball for big", e.Message);
        Assert.True(import.BytesRead < 1 << 20, $"read {import.BytesRead} bytes of a header declaring {declared}");
        Assert.Empty(await _images.ListAsync(default));
    }

    [Fact]
    public async Task L7_parser_errors_of_unlisted_types_are_invalid_arguments_naming_the_archive()
    {
        // System.Formats.Tar throws OverflowException for a PAX uid beyond int; JsonElement throws
        // InvalidOperationException for a value of the wrong kind. Both were HTTP 500s.
        var overflow = TarBuilder.PaxThenFile(("uid", "99999999999999"));
        Assert.Contains("image tarball", (await RefusedLoad(overflow)).Message);
        var import = await Assert.ThrowsAsync<EngineException>(() => _images.ImportRootfsAsync(new MemoryStream(overflow), "o", default));
        Assert.Equal(ErrorKind.InvalidArgument, import.Kind);
        Assert.Contains("rootfs tarball for o", import.Message);

        await RefusedLoad(new TarBuilder().File("manifest.json", """[{"Config":"c.json","Layers":[1]}]""").File("c.json", "{}").Build());
        await RefusedLoad(new TarBuilder().File("oci-layout", "{}").File("index.json", """{"manifests":[1]}""").Build());
    }

    /// <summary>Blocks its first read until released, then ends: a load whose upload stalls.</summary>
    private sealed class StalledStream : Stream
    {
        public readonly ManualResetEventSlim Reading = new(), Release = new();
        public override int Read(byte[] buffer, int offset, int count)
        {
            Reading.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
            return 0;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task L7_crash_clean_up_gives_up_on_a_store_a_stalled_load_holds_instead_of_blocking()
    {
        var stalled = new StalledStream();
        var load = _images.LoadAsync(stalled, default);
        Assert.True(stalled.Reading.Wait(TimeSpan.FromSeconds(30)), "the load never read its stream");
        var e = Assert.Throws<EngineException>(() => _images.CleanUpAfterCrash());
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("busy", e.Message);
        Assert.Single(Directory.EnumerateFileSystemEntries(_images.TmpRoot)); // the load's spool was left alone

        stalled.Release.Set();
        await Assert.ThrowsAsync<EngineException>(() => load);
        Assert.Empty(_images.CleanUpAfterCrash());
    }

    // ---- M5 (image store side) ------------------------------------------------------------------------------------

    [Fact]
    public async Task M5_store_directories_are_0700_even_when_they_existed_looser()
    {
        Directory.CreateDirectory(_images.LayersRoot);
        File.SetUnixFileMode(_images.ImageRoot, (UnixFileMode)0x1ed);
        File.SetUnixFileMode(_images.LayersRoot, (UnixFileMode)0x1ff);
        await _images.ImportRootfsAsync(new MemoryStream(Layer1), "m5", default);
        foreach (var dir in new[] { _images.ImageRoot, _images.LayersRoot, _images.TmpRoot })
            Assert.Equal(PrivateDirectory.Mode, File.GetUnixFileMode(dir));
    }

    [Fact]
    public void M5_PrivateDirectory_tightens_an_existing_directory_and_refuses_one_root_does_not_own()
    {
        string dir = Path.Combine(_root, "existing");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ed);
        PrivateDirectory.Ensure(dir, "data root", requireRootOwner: true);
        Assert.Equal(PrivateDirectory.Mode, File.GetUnixFileMode(dir));

        Assert.Equal(0, MyDocker.Engine.Kernel.Interop.Libc.LChown(dir, 65534, 65534));
        var e = Assert.Throws<InvalidOperationException>(() => PrivateDirectory.Ensure(dir, "data root", requireRootOwner: true));
        Assert.Contains("owned by uid 65534", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void M5_the_database_file_is_0600_even_when_it_existed_looser()
    {
        string path = Path.Combine(_root, "loose.db");
        var first = new StateDbFactory(path);
        first.Migrate();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(path, (UnixFileMode)0x1a4);
        new StateDbFactory(path).Migrate();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    // ---- Seed tarballs --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Seed_tarballs_are_listed_without_being_asked_for_and_a_broken_one_is_skipped()
    {
        Directory.CreateDirectory(_images.ImageRoot);
        File.WriteAllBytes(Path.Combine(_images.ImageRoot, "seed.tar"), Layer1);
        File.WriteAllBytes(Path.Combine(_images.ImageRoot, "broken.tar"), Layer2[..700]);
        File.WriteAllBytes(Path.Combine(_images.ImageRoot, "Bad Name.tar"), Layer1);
        _images.StartSeedImport();
        var image = Assert.Single(await _images.ListAsync(default));
        Assert.Equal(["seed:latest"], image.RepoTags);
    }
}
