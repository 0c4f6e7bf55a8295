using MyDocker.Engine.Common;

namespace MyDocker.UnitTests.Common;

public sealed class HostPathsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mdu-paths-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Symlinks_along_the_path_are_followed_and_the_missing_rest_kept()
    {
        string real = Directory.CreateDirectory(Path.Combine(_dir, "real", "state")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_dir, "abs"), Path.Combine(_dir, "real"));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "rel"), "real/state");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "chain"), "rel");

        Assert.Equal(real, HostPaths.Resolve(Path.Combine(_dir, "abs", "state")));
        Assert.Equal(real, HostPaths.Resolve(Path.Combine(_dir, "chain")));
        Assert.Equal(Path.Combine(real, "not", "yet"), HostPaths.Resolve(Path.Combine(_dir, "rel", "not", "yet")));
        Assert.Equal(real, HostPaths.Resolve(Path.Combine(_dir, "abs", "x", "..", "state")));
    }

    [Fact]
    public void A_symlink_loop_ends()
    {
        Directory.CreateSymbolicLink(Path.Combine(_dir, "a"), "b");
        Directory.CreateSymbolicLink(Path.Combine(_dir, "b"), "a");
        Assert.StartsWith(_dir, HostPaths.Resolve(Path.Combine(_dir, "a")));
    }
}
