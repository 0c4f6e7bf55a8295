namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// The binaries under test, as scripts/build.sh publishes them: artifacts/daemon/mydockerd, artifacts/cli/mydocker and
/// artifacts/resolver/mydocker-resolver.
/// End-to-end tests run the real published programs, the way a user does.
/// </summary>
public static class Artifacts
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static string Daemon => Require(Path.Combine(RepoRoot, "artifacts", "daemon", "mydockerd"));
    public static string Cli => Require(Path.Combine(RepoRoot, "artifacts", "cli", "mydocker"));
    public static string Resolver => Require(Path.Combine(RepoRoot, "artifacts", "resolver", "mydocker-resolver"));
    public const string DockerCli = "/usr/local/bin/docker";

    private static string Require(string path) => File.Exists(path)
        ? path
        : throw new FileNotFoundException($"{path} is missing: run scripts/build.sh first (scripts/test.sh does)");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MyDocker.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MyDocker.sln not found above " + AppContext.BaseDirectory);
    }
}
