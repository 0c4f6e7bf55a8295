using Microsoft.EntityFrameworkCore;
using MyDocker.Engine.Images;
using MyDocker.Engine.State;

namespace MyDocker.UnitTests.State;

/// <summary>Images are stored exactly as the Images and ImageTags tables have always held them (layers as a JSON array,
/// the config verbatim, one row per tag) and come back as the same <see cref="ImageView"/>; a malformed stored column is
/// read leniently, never thrown (audit M6: one bad row must not break listing and removal of the rest).</summary>
public sealed class ImageStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mydocker-unit-images-").FullName;
    private readonly StateDbFactory _state;

    public ImageStoreTests()
    {
        _state = new StateDbFactory(Path.Combine(_dir, "mydocker.db"));
        _state.Migrate();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DateTimeOffset Created = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);
    private static readonly string Id = "sha256:" + new string('a', 64), Other = "sha256:" + new string('b', 64);
    private static readonly string Bottom = "sha256:" + new string('1', 64), Top = "sha256:" + new string('2', 64);
    private const string Config = """{"Cmd":["sh"],"Env":["A=1"],"WorkingDir":"/w","User":"u","Labels":{"x":"y"}}""";

    [Fact]
    public async Task An_image_is_stored_in_the_tables_old_form_and_read_back_with_its_sorted_tags()
    {
        await using (var db = _state.Create())
            Assert.Empty(await db.AddImageAsync(Id, Config, [Bottom, Top], Created, 42, ["web:2", "web:1", "web:2"], default));

        await using (var db = _state.Create())
        {
            var row = await db.Images.AsNoTracking().SingleAsync();
            Assert.Equal($"[\"{Bottom}\",\"{Top}\"]", row.LayersJson);
            Assert.Equal(Config, row.ConfigJson);
            Assert.Equal(["web:1", "web:2"], (await db.ImageTags.AsNoTracking().ToListAsync()).Select(t => t.Reference).Order());

            var view = (await db.FindImageAsync(Id, default))!;
            Assert.Equal((Id, Created, 42L), (view.Id, view.Created, view.Size));
            Assert.Equal(["web:1", "web:2"], view.RepoTags);
            Assert.Equal([Bottom, Top], view.Layers);
            Assert.Equal(["sh"], view.Config.Cmd);
            Assert.Equal(["A=1"], view.Config.Env);
            Assert.Equal(("/w", "u"), (view.Config.WorkingDir, view.Config.User));
            Assert.Equal(Id, await db.ImageIdTaggedAsync("web:1", default));
            Assert.Equal([Id], await db.ImageIdsStartingWithAsync("sha256:aaaa", 2, default));
            Assert.Equal([Bottom, Top], (await db.LayersInUseAsync(default)).Order());
        }
    }

    [Fact]
    public async Task A_tag_moves_to_a_new_image_and_the_move_is_reported_and_removal_deletes_tags_and_row()
    {
        await using var db = _state.Create();
        await db.AddImageAsync(Id, "{}", [Bottom], Created, 1, ["web:1", "keep:1"], default);
        Assert.Equal([("web:1", Id)], await db.AddImageAsync(Other, "{}", [Top], Created, 1, ["web:1"], default));
        Assert.Equal(["keep:1"], (await db.FindImageAsync(Id, default))!.RepoTags);

        await db.RemoveImageAsync(["web:1"], Other, default);
        Assert.Null(await db.FindImageAsync(Other, default));
        Assert.Null(await db.ImageIdTaggedAsync("web:1", default));
        Assert.Equal(["keep:1"], (await db.FindImageAsync(Id, default))!.RepoTags);
    }

    [Fact]
    public async Task A_container_naming_the_image_with_or_without_its_sha256_prefix_is_a_user_of_it()
    {
        await using var db = _state.Create();
        db.Containers.Add(new ContainerEntity { Id = new string('c', 64), Name = "full", Image = "web", ImageId = Id });
        db.Containers.Add(new ContainerEntity { Id = new string('d', 64), Name = "bare", Image = "web", ImageId = Id[7..] });
        db.Containers.Add(new ContainerEntity { Id = new string('f', 64), Name = "other", Image = "x", ImageId = Other });
        await db.SaveChangesAsync();

        Assert.Equal(["bare", "full"], (await db.ContainersUsingImageAsync(Id, default)).Select(u => u.Name).Order());
    }

    [Fact]
    public void A_malformed_stored_column_is_read_leniently_not_thrown()
    {
        var bad = ImageStore.ToView(new ImageEntity { Id = Id, LayersJson = "[1, \"x\", null]", ConfigJson = """{"Cmd":[1,"a"],"WorkingDir":3}""" }, []);
        Assert.Equal(["x"], bad.Layers);
        Assert.Equal(["1", "a"], bad.Config.Cmd);
        Assert.Null(bad.Config.WorkingDir);

        var junk = ImageStore.ToView(new ImageEntity { Id = Id, LayersJson = "not json", ConfigJson = "{not json" }, []);
        Assert.Empty(junk.Layers);
        Assert.Equal(ImageConfig.Empty, junk.Config);
        Assert.Empty(ImageStore.ParseLayers("""{"a":"b"}"""));
        Assert.Empty(ImageStore.ParseLayers(""));
    }
}
