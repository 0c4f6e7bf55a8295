namespace MyDocker.E2ETests.Infrastructure;

/// <summary>
/// Image tarballs the tests share, built once per test run into a temp dir (deleted when the test process exits).
/// <see cref="BusyboxTar"/> is scripts/make-busybox-image.sh's rootfs from Debian's busybox-static: import it with
/// <c>mydocker import PATH busybox</c>, or copy it to &lt;data-root&gt;/image/busybox.tar for the seed's way.
/// </summary>
public static class TestImages
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-e2e-images-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } };
        return dir;
    });

    private static readonly Lazy<string> Busybox = new(() =>
    {
        string path = Path.Combine(Dir.Value, "busybox.tar");
        Command.Run(Path.Combine(Artifacts.RepoRoot, "scripts", "make-busybox-image.sh"), [path]);
        return path;
    });

    /// <summary>A plain (uncompressed) busybox rootfs tarball; the same bytes every time it is built.</summary>
    public static string BusyboxTar => Busybox.Value;
}
