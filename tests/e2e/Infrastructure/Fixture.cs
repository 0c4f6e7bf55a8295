namespace MyDocker.E2ETests.Infrastructure;

/// <summary>Helper programs from tests/e2e/Fixtures/NAME.c, built static (they also run inside busybox containers, which
/// have no libc) once per test run into a temporary directory that is deleted when the test process exits.</summary>
public static class Fixture
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-e2e-fixtures-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    });

    private static readonly Dictionary<string, Lazy<string>> Built = [];

    /// <summary>The path of the built program NAME (compiled on first use).</summary>
    public static string Program(string name)
    {
        Lazy<string> built;
        lock (Built)
            if (!Built.TryGetValue(name, out built!))
                Built[name] = built = new Lazy<string>(() =>
                {
                    string output = Path.Combine(Dir.Value, name);
                    Command.Run("gcc", ["-static", "-O2", "-o", output, Path.Combine(Artifacts.RepoRoot, "tests", "e2e", "Fixtures", name + ".c")]);
                    return output;
                });
        return built.Value;
    }
}
