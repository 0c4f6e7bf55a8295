using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Images;

namespace MyDocker.UnitTests.Containers;

public sealed class ContainerPlannerTests
{
    private static readonly ImageConfig Image = new(Cmd: ["sh"], Entrypoint: null, Env: ["PATH=/bin", "A=image"], WorkingDir: "/w", User: null);

    private static void Check(ContainerSpec spec, string? name = null) =>
        ContainerPlanner.Validate(new ContainerCreateSpec { Image = "busybox", Name = name, Spec = spec }, p => p == "/exists");

    [Theory]
    [InlineData(null, null, new[] { "sh" })]
    [InlineData(new[] { "echo", "hi" }, null, new[] { "echo", "hi" })]
    [InlineData(null, new[] { "/entry" }, new[] { "/entry" })]
    [InlineData(new[] { "x" }, new[] { "/entry" }, new[] { "/entry", "x" })]
    public void The_command_follows_dockers_entrypoint_and_cmd_rule(string[]? cmd, string[]? entrypoint, string[] expected) =>
        Assert.Equal(expected, ContainerPlanner.Command(new ContainerSpec { Cmd = cmd?.ToList(), Entrypoint = entrypoint?.ToList() }, Image));

    [Fact]
    public void The_requests_environment_overrides_the_images_by_name_keeping_order() =>
        Assert.Equal(["PATH=/bin", "A=mine", "B=2"], ContainerPlanner.Environment(Image.Env, ["A=mine", "B=2"]));

    [Theory]
    [InlineData("/srv:/data", "/srv", "/data", false)]
    [InlineData("/srv:/data:ro", "/srv", "/data", true)]
    [InlineData("/srv:/data:rw", "/srv", "/data", false)]
    public void Binds_parse(string text, string source, string destination, bool ro) =>
        Assert.Equal(new BindSpec(source, destination, ro), ContainerPlanner.ParseBind(text));

    [Theory]
    [InlineData("/srv", "HOST:CONTAINER")]
    [InlineData("/srv:/data:rx", "mode 'rx'")]
    [InlineData(":/data", "HOST:CONTAINER")]
    public void Bad_binds_name_the_problem(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<EngineException>(() => ContainerPlanner.ParseBind(text)).Message);

    [Fact]
    public void Volumes_must_be_absolute_and_exist()
    {
        Assert.Contains("relative", Assert.Throws<EngineException>(() => Check(new() { Binds = [new("rel", "/d", false)] })).Message);
        Assert.Contains("does not exist", Assert.Throws<EngineException>(() => Check(new() { Binds = [new("/nope", "/d", false)] })).Message);
        Assert.Contains("relative", Assert.Throws<EngineException>(() => Check(new() { Binds = [new("/exists", "d", false)] })).Message);
        Assert.Contains("not allowed", Assert.Throws<EngineException>(() => Check(new() { Binds = [new("/exists", "/", false)] })).Message);
        Check(new() { Binds = [new("/exists", "/data", true)] });
    }

    [Fact]
    public void Limits_below_the_minimum_or_negative_are_refused()
    {
        Assert.Contains("6 MiB", Assert.Throws<EngineException>(() => Check(new() { MemoryBytes = 1024 * 1024 })).Message);
        Assert.Contains("negative", Assert.Throws<EngineException>(() => Check(new() { NanoCpus = -1 })).Message);
        Assert.Contains("CPUs of this host", Assert.Throws<EngineException>(() => Check(new() { NanoCpus = 1_000_000_000L * 4096 })).Message);
        Check(new() { MemoryBytes = ContainerPlanner.MinimumMemoryBytes, NanoCpus = 500_000_000 });
    }

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("a b", "space")]
    [InlineData("-x", "start with a letter or digit")]
    public void Names_are_checked(string name, string expected) =>
        Assert.Contains(expected, Assert.Throws<EngineException>(() => Check(new(), name)).Message);

    [Fact]
    public void Generated_ids_and_names_have_dockers_shapes()
    {
        Assert.Matches("^[0-9a-f]{64}$", ContainerPlanner.NewId());
        Assert.Matches("^[a-z]+_[a-z]+[0-9]{1,2}$", ContainerPlanner.NewName());
    }

    [Theory]
    [InlineData("/var/lib/mydocker", "/var/lib/mydocker")]        // the data root itself
    [InlineData("/var/lib/mydocker/layers", "/var/lib/mydocker")] // inside it
    [InlineData("/var/lib/", "/var/lib/mydocker")]                // a directory that holds it
    [InlineData("/", "/var/lib/mydocker")]
    [InlineData("/run/mydocker/mydocker.sock", "/run/mydocker")]  // the socket
    [InlineData("/srv/data", null)]
    [InlineData("/var/lib/mydocker2", null)]                      // a sibling with a longer name
    [InlineData("/run/link-to-state", "/run/mydocker")]          // through a symlink
    public void Binds_of_the_engines_state_are_warned_about_by_the_path_they_reach(string source, string? warned)
    {
        string Resolve(string p) => p.Replace("/run/link-to-state", "/run/mydocker");
        var warnings = ContainerPlanner.EngineStateBindWarnings([new BindSpec(source, "/x", ReadOnly: false)],
            [("/var/lib/mydocker", "the database"), ("/run/mydocker", "the API socket")], Resolve);
        if (warned is null) Assert.Empty(warnings);
        else Assert.StartsWith($"volume '{source}:/x' gives the container {warned} (", Assert.Single(warnings));
    }
}
