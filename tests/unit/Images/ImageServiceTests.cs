using System.Formats.Tar;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MyDocker.Engine;
using MyDocker.Engine.Images;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.State;
using MyDocker.UnitTests.Fakes;

namespace MyDocker.UnitTests.Images;

/// <summary>The image store on a temporary data root with a real SQLite database (as root, for whiteouts).</summary>
public sealed class ImageServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mydocker-unit-images-").FullName;
    private readonly StateDbFactory _state;
    private readonly ImageService _images;
    private readonly MyDocker.Engine.Events.EventHub _events;

    public ImageServiceTests()
    {
        var options = new EngineOptions { DataRoot = _root, ExecRoot = Path.Combine(_root, "exec") };
        _state = MigratedDatabase.CopyTo(options.DatabasePath);
        _events = new MyDocker.Engine.Events.EventHub(_state);
        _images = new ImageService(options, _state, _events, NullLogger<ImageService>.Instance);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Import_load_untag_and_delete_are_image_events_as_docker_sends_them()
    {
        var imported = await _images.ImportRootfsAsync(new MemoryStream(Layer1), "rootfs:v1", default);
        var config = Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2));
        var loaded = Assert.Single(await _images.LoadAsync(new MemoryStream(DockerSave(config, ["app:1", "app:2"], Layer1, Layer2)), default));
        await _images.RemoveAsync("app:1", force: false, default);
        await _images.RemoveAsync(loaded.Id, force: false, default);

        using var sub = _events.Subscribe(0);
        Assert.Equal(
            [("import", imported.Id, "rootfs:v1"), ("load", loaded.Id, "app:1"), ("untag", loaded.Id, "app:1"),
             ("untag", loaded.Id, "app:2"), ("delete", loaded.Id, "app:2")],
            sub.History.Select(e => (MyDocker.Engine.Events.EventWords.Action(e), e.ActorId, e.Name)));
        Assert.All(sub.History, e => Assert.Equal("image", MyDocker.Engine.Events.EventWords.Of(e.Kind)));
    }

    private static readonly byte[] Layer1 = new TarBuilder()
        .Dir("bin").File("bin/a", "a").Dir("etc").File("etc/motd", "hello").Dir("var/cache").File("var/cache/x", "x").Build();
    private static readonly byte[] Layer2 = new TarBuilder()
        .File("etc/.wh.motd", "").File("var/cache/.wh..wh..opq", "").File("bin/b", "bb").Build();

    private static byte[] Config(params string[] diffIds) => Encoding.UTF8.GetBytes(
        """{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Cmd":["sh","-c","echo hi"],"Env":["PATH=/bin","A=1"],"WorkingDir":"/work","User":"1000","Labels":{"k":"v"}},"rootfs":{"type":"layers","diff_ids":[""" +
        string.Join(",", diffIds.Select(d => "\"" + d + "\"")) + "]}}");

    private static string Hex(byte[] data) => TarBuilder.Sha256(data)[7..];

    /// <summary>A `docker save` archive as Docker 25+ writes it: blobs plus legacy ID/layer.tar symlinks; the second layer gzip.</summary>
    internal static byte[] DockerSave(byte[] config, string[] tags, byte[] layer1, byte[] layer2)
    {
        var gz2 = TarBuilder.Gzip(layer2);
        var b = new TarBuilder()
            .File($"blobs/sha256/{Hex(layer1)}", layer1)
            .File($"blobs/sha256/{Hex(gz2)}", gz2)
            .File($"blobs/sha256/{Hex(config)}", config)
            .Dir("l2").Symlink("l2/layer.tar", $"../blobs/sha256/{Hex(gz2)}")
            .File("manifest.json", $$"""[{"Config":"blobs/sha256/{{Hex(config)}}","RepoTags":[{{string.Join(",", tags.Select(t => "\"" + t + "\""))}}],"Layers":["blobs/sha256/{{Hex(layer1)}}","l2/layer.tar"]}]""");
        return b.Build();
    }

    private static byte[] OciLayout(byte[] config, byte[] layer1, byte[] layer2, string annotations)
    {
        var gz1 = TarBuilder.Gzip(layer1);
        string manifest = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{{Hex(config)}}","size":{{config.Length}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{{Hex(gz1)}}","size":{{gz1.Length}}},{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:{{Hex(layer2)}}","size":{{layer2.Length}}}]}""";
        var mb = Encoding.UTF8.GetBytes(manifest);
        // A nested index, as multi-platform images have it.
        string inner = $$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{{{Hex(mb)}}}","size":{{{mb.Length}}},"platform":{"os":"linux","architecture":"amd64"}}]}""";
        var ib = Encoding.UTF8.GetBytes(inner);
        return new TarBuilder()
            .File("oci-layout", """{"imageLayoutVersion":"1.0.0"}""")
            .File("index.json", $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:{{{Hex(ib)}}}","size":{{{ib.Length}}},"annotations":{{{{annotations}}}}}]}""")
            .File($"blobs/sha256/{Hex(ib)}", ib)
            .File($"blobs/sha256/{Hex(mb)}", mb)
            .File($"blobs/sha256/{Hex(config)}", config)
            .File($"blobs/sha256/{Hex(gz1)}", gz1)
            .File($"blobs/sha256/{Hex(layer2)}", layer2)
            .Build();
    }

    private void AssertTwoLayerImage(ImageView image, byte[] config)
    {
        Assert.Equal(TarBuilder.Sha256(config), image.Id);
        Assert.Equal([TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2)], image.Layers);
        Assert.Equal(["sh", "-c", "echo hi"], image.Config.Cmd);
        Assert.Equal(["PATH=/bin", "A=1"], image.Config.Env);
        Assert.Equal("/work", image.Config.WorkingDir);
        Assert.Equal("1000", image.Config.User);
        Assert.Null(image.Config.Entrypoint);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), image.Created);
        Assert.Equal(1 + 5 + 1 + 2, image.Size);
        var lower = _images.LowerDirs(image);
        Assert.Equal(2, lower.Count);
        Assert.EndsWith(Hex(Layer2), lower[0]); // top first
        Assert.True(File.Exists(Path.Combine(lower[1], "etc/motd")));
        Assert.Equal("bb", File.ReadAllText(Path.Combine(lower[0], "bin/b")));
        Assert.Equal("y", Libc.GetXattr(Path.Combine(lower[0], "var/cache"), "trusted.overlay.opaque"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
    }

    [Fact]
    public async Task Loads_a_docker_save_archive_with_two_layers_a_whiteout_and_the_config()
    {
        var config = Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2));
        var loaded = await _images.LoadAsync(new MemoryStream(DockerSave(config, ["app:latest", "team/app:v1"], Layer1, Layer2)), default);
        var image = Assert.Single(loaded);
        Assert.Equal(["app:latest", "team/app:v1"], image.RepoTags);
        AssertTwoLayerImage(image, config);

        foreach (var reference in new[] { "app", "app:latest", "team/app:v1", "docker.io/library/app", image.Id, image.Id[7..], image.Id[7..19], image.Id[7..11] })
            Assert.Equal(image.Id, (await _images.GetAsync(reference, default)).Id);
        var missing = await Assert.ThrowsAsync<EngineException>(() => _images.GetAsync("team/app", default));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Contains("team/app", missing.Message);
        Assert.Single(await _images.ListAsync(default));

        // Loading it again changes nothing.
        await _images.LoadAsync(new MemoryStream(TarBuilder.Gzip(DockerSave(config, ["app:latest"], Layer1, Layer2))), default);
        Assert.Single(await _images.ListAsync(default));
    }

    [Fact]
    public async Task Loads_an_oci_layout_with_a_nested_index_and_takes_the_containerd_name()
    {
        var config = Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2));
        var oci = OciLayout(config, Layer1, Layer2,
            "\"io.containerd.image.name\":\"docker.io/library/ociimg:2\",\"org.opencontainers.image.ref.name\":\"2\"");
        var image = Assert.Single(await _images.LoadAsync(new MemoryStream(oci), default));
        Assert.Equal(["ociimg:2"], image.RepoTags);
        AssertTwoLayerImage(image, config);

        var untagged = OciLayout(Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2)).Concat(" "u8.ToArray()).ToArray(), Layer1, Layer2,
            "\"org.opencontainers.image.ref.name\":\"latest\"");
        Assert.Empty(Assert.Single(await _images.LoadAsync(new MemoryStream(untagged), default)).RepoTags);
        var named = OciLayout(Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2)).Concat("  "u8.ToArray()).ToArray(), Layer1, Layer2,
            "\"org.opencontainers.image.ref.name\":\"example.com/x/y:3\"");
        Assert.Equal(["example.com/x/y:3"], Assert.Single(await _images.LoadAsync(new MemoryStream(named), default)).RepoTags);
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_diff_id_is_refused_and_nothing_is_kept()
    {
        var config = Config(TarBuilder.Sha256(Layer1), "sha256:" + new string('e', 64)); // wrong second diffID
        var e = await Assert.ThrowsAsync<EngineException>(() => _images.LoadAsync(new MemoryStream(DockerSave(config, ["bad:1"], Layer1, Layer2)), default));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("layer 2 of 2", e.Message);
        Assert.Empty(await _images.ListAsync(default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
        _images.CleanUpAfterCrash();
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.LayersRoot));
    }

    [Fact]
    public async Task Truncated_corrupt_and_foreign_archives_are_refused()
    {
        var config = Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2));
        var save = DockerSave(config, ["t:1"], Layer1, Layer2);
        foreach (var bad in new[] { save[..(save.Length / 2)], new TarBuilder().File("hello", "x").Build(), "garbage garbage"u8.ToArray().Concat(new byte[1024]).ToArray() })
        {
            var e = await Assert.ThrowsAsync<EngineException>(() => _images.LoadAsync(new MemoryStream(bad), default));
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        }
        Assert.Empty(await _images.ListAsync(default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
        var escaping = new TarBuilder().File("../../x", "1").Build();
        Assert.Contains("..", (await Assert.ThrowsAsync<EngineException>(() => _images.LoadAsync(new MemoryStream(escaping), default))).Message);
    }

    [Fact]
    public async Task Importing_a_rootfs_twice_gives_one_image_and_the_seed_tarball_is_found_once()
    {
        var a = await _images.ImportRootfsAsync(new MemoryStream(Layer1), "rootfs", default);
        var b = await _images.ImportRootfsAsync(new MemoryStream(TarBuilder.Gzip(Layer1)), "rootfs:v2", default);
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(["rootfs:latest", "rootfs:v2"], b.RepoTags);
        Assert.Null(b.Config.Cmd);
        await Assert.ThrowsAsync<EngineException>(() => _images.ImportRootfsAsync(new MemoryStream(Layer1), "Bad Name", default));

        File.WriteAllBytes(Path.Combine(_images.ImageRoot, "seed.tar"), Layer2);
        var all = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _images.GetAsync("seed", default)));
        Assert.Single(all.Select(i => i.Id).Distinct());
        Assert.Equal(["seed:latest"], all[0].RepoTags);
        Assert.Equal(2, (await _images.ListAsync(default)).Count);
        await Assert.ThrowsAsync<EngineException>(() => _images.GetAsync("seed:other", default));
    }

    [Fact]
    public async Task Remove_untags_then_deletes_keeps_shared_layers_and_refuses_while_a_container_uses_the_image()
    {
        var config = Config(TarBuilder.Sha256(Layer1), TarBuilder.Sha256(Layer2));
        var image = Assert.Single(await _images.LoadAsync(new MemoryStream(DockerSave(config, ["app:1", "app:2"], Layer1, Layer2)), default));
        var single = await _images.ImportRootfsAsync(new MemoryStream(Layer1), "base", default); // shares layer 1

        var many = await Assert.ThrowsAsync<EngineException>(() => _images.RemoveAsync(image.Id[7..19], false, default));
        Assert.Equal(ErrorKind.Conflict, many.Kind);
        Assert.Equal(["Untagged: app:1"], await _images.RemoveAsync("app:1", false, default));

        await using (var db = _state.Create())
        {
            db.Containers.Add(new ContainerEntity { Id = new string('c', 64), Name = "web", Image = "app:2", ImageId = image.Id });
            await db.SaveChangesAsync();
        }
        var used = await Assert.ThrowsAsync<EngineException>(() => _images.RemoveAsync("app:2", false, default));
        Assert.Equal(ErrorKind.Conflict, used.Kind);
        Assert.Contains("web", used.Message);
        Assert.Contains("rm -f web", used.Message);
        Assert.Equal(ErrorKind.Conflict, (await Assert.ThrowsAsync<EngineException>(() => _images.RemoveAsync(image.Id, true, default))).Kind);
        await using (var db = _state.Create())
        {
            db.Containers.RemoveRange(db.Containers);
            await db.SaveChangesAsync();
        }

        var lines = await _images.RemoveAsync("app:2", false, default);
        Assert.Equal(["Untagged: app:2", "Deleted: " + image.Id, "Deleted: " + TarBuilder.Sha256(Layer2)], lines);
        Assert.False(Directory.Exists(Path.Combine(_images.LayersRoot, Hex(Layer2))));
        Assert.True(Directory.Exists(Path.Combine(_images.LayersRoot, Hex(Layer1))), "the layer base still uses stays");
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<EngineException>(() => _images.RemoveAsync("app:2", false, default))).Kind);

        Assert.Equal(["Untagged: base:latest", "Deleted: " + single.Id, "Deleted: " + TarBuilder.Sha256(Layer1)], await _images.RemoveAsync("base", false, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.LayersRoot));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
    }

    [Fact]
    public async Task Clean_up_after_a_crash_removes_temp_dirs_and_unreferenced_layers_only()
    {
        var kept = await _images.ImportRootfsAsync(new MemoryStream(Layer1), "kept", default);
        Directory.CreateDirectory(Path.Combine(_images.TmpRoot, "layer-halfdone", "bin"));
        Directory.CreateDirectory(Path.Combine(_images.LayersRoot, new string('a', 64), "etc"));
        var removed = _images.CleanUpAfterCrash();
        Assert.Equal(2, removed.Count);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_images.TmpRoot));
        Assert.Equal([Path.Combine(_images.LayersRoot, Hex(Layer1))], Directory.EnumerateFileSystemEntries(_images.LayersRoot));
        Assert.True(Directory.Exists(_images.LowerDirs(kept)[0]));
    }

    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1.36", "busybox:1.36")]
    [InlineData("docker.io/library/busybox:1", "busybox:1")]
    [InlineData("docker.io/team/app", "team/app:latest")]
    [InlineData("localhost:5000/a/b_c.d-e:v1.0", "localhost:5000/a/b_c.d-e:v1.0")]
    [InlineData("Busybox", null)]
    [InlineData("busy box", null)]
    [InlineData("busybox:", null)]
    [InlineData("busybox@sha256:abc", null)]
    [InlineData("a//b", null)]
    [InlineData("-x", null)]
    public void References_follow_dockers_grammar(string text, string? expected) =>
        Assert.Equal(expected, ImageReference.TryParse(text)?.ToString());
}
