using System.Text.Json;
using MyDocker.Cli.Commands;
using MyDocker.Engine.Images;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>Image JSON in Docker's shapes, and the CLI's `images` table.</summary>
public class ImageApiShapeTests
{
    private static readonly string Id = "sha256:" + new string('b', 64);

    private static ImageView View(params string[] tags) => new(
        Id, tags, new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), 4_264_000, ["sha256:" + new string('c', 64)],
        new ImageConfig(["sh"], null, ["PATH=/bin"], "/tmp", null));

    [Fact]
    public void Image_summary_has_dockers_field_names()
    {
        string json = JsonSerializer.Serialize(ImageEndpoints.ToSummary(View("busybox:latest")), ApiJsonContext.Default.ImageSummary);
        Assert.Equal(
            $$"""{"Id":"{{Id}}","ParentId":"","RepoTags":["busybox:latest"],"RepoDigests":[],"Created":1714564800,"Size":4264000,"SharedSize":-1,"VirtualSize":4264000,"Labels":{},"Containers":-1}""",
            json);
    }

    [Fact]
    public void Image_inspect_carries_the_config_and_layers()
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(ImageEndpoints.ToInspect(View(), ["/l/c"]), ApiJsonContext.Default.ImageInspect));
        var root = doc.RootElement;
        Assert.Equal("2024-05-01T12:00:00.0000000Z", root.GetProperty("Created").GetString());
        Assert.Equal("sh", root.GetProperty("Config").GetProperty("Cmd")[0].GetString());
        Assert.False(root.GetProperty("Config").TryGetProperty("Entrypoint", out _));
        Assert.Equal("/tmp", root.GetProperty("Config").GetProperty("WorkingDir").GetString());
        Assert.Equal("sha256:" + new string('c', 64), root.GetProperty("RootFS").GetProperty("Layers")[0].GetString());
        Assert.Equal("/l/c", root.GetProperty("GraphDriver").GetProperty("Data").GetProperty("LowerDir").GetString());
    }

    [Fact]
    public void Stream_messages_and_errors_use_dockers_lowercase_names()
    {
        Assert.Equal("""{"stream":"Loaded image: a:b\n"}""",
            JsonSerializer.Serialize(new JsonMessage { Stream = "Loaded image: a:b\n" }, ApiJsonContext.Default.JsonMessage));
        Assert.Equal("""{"errorDetail":{"message":"bad"},"error":"bad"}""",
            JsonSerializer.Serialize(new JsonMessage { ErrorDetail = new JsonError { Message = "bad" }, Error = "bad" }, ApiJsonContext.Default.JsonMessage));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    public void Query_booleans_read_like_dockers(string? value, bool expected) => Assert.Equal(expected, ImageEndpoints.BoolValue(value));

    [Fact]
    public void Images_table_has_a_row_per_tag_and_none_for_untagged()
    {
        var now = new DateTimeOffset(2024, 5, 4, 12, 0, 0, TimeSpan.Zero);
        var images = new List<ImageSummary>
        {
            ImageEndpoints.ToSummary(View("busybox:latest", "registry:5000/team/app:v2")),
            ImageEndpoints.ToSummary(View()),
        };
        string text = ImageCommands.FormatTable(images, now).ToString();
        Assert.Equal(
            """
            REPOSITORY               TAG       IMAGE ID       CREATED      SIZE
            busybox                  latest    bbbbbbbbbbbb   3 days ago   4.26MB
            registry:5000/team/app   v2        bbbbbbbbbbbb   3 days ago   4.26MB
            <none>                   <none>    bbbbbbbbbbbb   3 days ago   4.26MB

            """.Replace("\r", ""), text);
    }

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1_234, "1.23kB")]
    [InlineData(928_000, "928kB")]
    [InlineData(1_500_000_000, "1.5GB")]
    public void Sizes_are_printed_like_go_units(long bytes, string expected) => Assert.Equal(expected, ImageCommands.HumanSize(bytes));

    [Theory]
    [InlineData(30, "30 seconds ago")]
    [InlineData(90, "About a minute ago")]
    [InlineData(600, "10 minutes ago")]
    [InlineData(5400, "About an hour ago")]
    [InlineData(3 * 3600, "3 hours ago")]
    [InlineData(20 * 86400, "2 weeks ago")]
    public void Ages_are_printed_like_go_units(int seconds, string expected) => Assert.Equal(expected, ImageCommands.HumanAge(TimeSpan.FromSeconds(seconds)));
}
