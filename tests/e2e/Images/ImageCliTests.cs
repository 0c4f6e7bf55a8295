using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Images;

/// <summary>Images through the real daemon: mydocker load/images/rmi/import, the seed's image/busybox.tar, and bad tarballs.</summary>
public sealed class ImageCliTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("img");

    public void Dispose() => _d.Dispose();

    private string Layers => Path.Combine(_d.DataRoot, "image", "layers");
    private string Tmp => Path.Combine(_d.DataRoot, "image", "tmp");

    private static IEnumerable<string> Entries(string dir) => Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir) : [];

    private JsonElement Inspect(string image)
    {
        using var doc = JsonDocument.Parse(_d.CliOk("image", "inspect", image));
        return doc.RootElement[0].Clone();
    }

    [Fact]
    public void Load_lists_inspects_and_removes_a_docker_save_archive()
    {
        var (archive, id) = TestImages.DockerSave(TestImages.BusyboxTar, "saved/box:v1", ["sh", "-c", "echo hi"], ["PATH=/bin", "X=1"], "/tmp");
        Assert.Equal("Loaded image: saved/box:v1\n", _d.CliOk("load", "-i", archive));
        // Without -i the archive comes from stdin (a fixed script; the paths are arguments, never spliced into it).
        var fromStdin = Command.TryRun("bash", ["-c", "exec \"$0\" -H \"$1\" load < \"$2\"", Artifacts.Cli, _d.HostArg, archive]);
        Assert.True(fromStdin.ExitCode == 0, fromStdin.Stderr);
        Assert.Equal("Loaded image: saved/box:v1\n", fromStdin.Stdout);

        string table = _d.CliOk("images");
        var lines = table.TrimEnd().Split('\n');
        Assert.Matches(@"^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$", lines[0]);
        Assert.Matches($@"^saved/box\s+v1\s+{id[7..19]}\s+\S.* ago\s+\d[\d.]*[kM]B$", lines[1]);
        Assert.Equal(id[7..19] + "\n", _d.CliOk("images", "-q"));
        Assert.Equal(id[7..19] + "\n", _d.CliOk("image", "ls", "-q"));

        var image = Inspect("saved/box:v1");
        Assert.Equal(id, image.GetProperty("Id").GetString());
        Assert.Equal("sh -c echo hi", string.Join(' ', image.GetProperty("Config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString())));
        Assert.Equal("/tmp", image.GetProperty("Config").GetProperty("WorkingDir").GetString());
        Assert.Contains("X=1", image.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        string lower = image.GetProperty("GraphDriver").GetProperty("Data").GetProperty("LowerDir").GetString()!;
        Assert.True(File.Exists(Path.Combine(lower, "bin", "busybox")));
        Assert.Equal("busybox", new FileInfo(Path.Combine(lower, "bin", "sh")).LinkTarget);
        Assert.Equal(id, Inspect(id[7..15]).GetProperty("Id").GetString());

        string removed = _d.CliOk("rmi", "saved/box:v1");
        Assert.Contains("Untagged: saved/box:v1", removed);
        Assert.Contains("Deleted: " + id, removed);
        Assert.Equal("", _d.CliOk("images", "-q"));
        Assert.Empty(Entries(Layers));
        Assert.Empty(Entries(Tmp));

        var gone = _d.Cli("rmi", "saved/box:v1");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("No such image: saved/box:v1", gone.Stderr);
    }

    [Fact]
    public void Import_and_the_seeds_busybox_tar_give_the_same_image()
    {
        string id = _d.CliOk("import", TestImages.BusyboxTar, "mybox:1").Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", id);

        // The seed's way: <data-root>/image/busybox.tar is image "busybox", imported on first use.
        Directory.CreateDirectory(Path.Combine(_d.DataRoot, "image"));
        File.Copy(TestImages.BusyboxTar, Path.Combine(_d.DataRoot, "image", "busybox.tar"));
        var busybox = Inspect("busybox");
        Assert.Equal(id, busybox.GetProperty("Id").GetString()); // same rootfs, same id: the import is reproducible
        Assert.Equal(["busybox:latest", "mybox:1"], busybox.GetProperty("RepoTags").EnumerateArray().Select(e => e.GetString()!).Order().ToArray());
        Assert.Single(Entries(Layers));

        var table = _d.CliOk("images");
        Assert.Matches(@"\nbusybox\s+latest\s+" + id[7..19], table);
        Assert.Matches(@"\nmybox\s+1\s+" + id[7..19], table);

        var multi = _d.Cli("rmi", id[7..19]);
        Assert.Equal(1, multi.ExitCode);
        Assert.Contains("must be forced", multi.Stderr);
        string forced = _d.CliOk("rmi", "-f", id[7..19]);
        Assert.Contains("Untagged: busybox:latest", forced);
        Assert.Contains("Untagged: mybox:1", forced);
        Assert.Contains("Deleted: " + id, forced);
        Assert.Empty(Entries(Layers));
    }

    [Fact]
    public void Bad_tarballs_and_names_are_refused_and_leave_nothing_behind()
    {
        string outside = Directory.CreateTempSubdirectory("mydocker-e2e-outside-").FullName;
        try
        {
            var evil = _d.Cli("import", TestImages.SymlinkEscapeTar(outside), "evil");
            Assert.Equal(1, evil.ExitCode);
            Assert.Contains("symlink", evil.Stderr);
            Assert.Empty(Entries(outside));

            var dotdot = _d.Cli("import", TestImages.DotDotEscapeTar(), "evil");
            Assert.Equal(1, dotdot.ExitCode);
            Assert.Contains("'..'", dotdot.Stderr);

            var (archive, _) = TestImages.DockerSave(TestImages.BusyboxTar, "cut:1", ["sh"]);
            var truncated = _d.Cli("load", "-i", TestImages.Truncated(archive));
            Assert.Equal(1, truncated.ExitCode);
            Assert.Contains("truncated", truncated.Stderr);

            var cutRootfs = _d.Cli("import", TestImages.Truncated(TestImages.BusyboxTar), "cut");
            Assert.Equal(1, cutRootfs.ExitCode);
            Assert.Contains("truncated", cutRootfs.Stderr);

            var notAnImage = _d.Cli("load", "-i", TestImages.BusyboxTar);
            Assert.Equal(1, notAnImage.ExitCode);
            Assert.Contains("mydocker import", notAnImage.Stderr);

            var badName = _d.Cli("import", TestImages.BusyboxTar, "Bad Name");
            Assert.Equal(1, badName.ExitCode);
            Assert.Contains("invalid image reference", badName.Stderr);

            var missing = _d.Cli("image", "inspect", "nosuch");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("No such image: nosuch", missing.Stderr);

            Assert.Equal("", _d.CliOk("images", "-q"));
            Assert.Empty(Entries(Layers));
            Assert.Empty(Entries(Tmp));
            Assert.Empty(Entries(outside));
        }
        finally { Directory.Delete(outside, recursive: true); }
    }

    [Fact]
    public void The_docker_cli_loads_lists_inspects_imports_and_removes_images()
    {
        CliResult Ok(params string[] args)
        {
            var r = _d.Docker(args);
            Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}{r.Stdout}\n{_d.Logs}");
            return r;
        }

        string since = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1).ToString();
        var (archive, id) = TestImages.DockerSave(TestImages.BusyboxTar, "dbox:2", ["top"]);
        Assert.Contains("Loaded image: dbox:2", Ok("load", "-i", archive).Stdout);
        Assert.Matches(@"\ndbox\s+2\s+" + id[7..19], Ok("images").Stdout);
        Assert.Equal("[top]", Ok("image", "inspect", "-f", "{{.Config.Cmd}}", "dbox:2").Stdout.Trim());

        string imported = Ok("import", TestImages.BusyboxTar, "dimp:7").Stdout.Trim();
        Assert.Matches("^sha256:[0-9a-f]{64}$", imported);
        Assert.Contains(imported[7..19], Ok("images", "-q").Stdout);

        var bad = _d.Docker("load", "-i", TestImages.Truncated(archive));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("truncated", bad.Stderr);

        string rmi = Ok("rmi", "dbox:2", "dimp:7").Stdout;
        Assert.Contains("Untagged: dbox:2", rmi);
        Assert.Contains("Deleted: " + id, rmi);
        Assert.Contains("Deleted: " + imported, rmi);
        Assert.Equal("", Ok("images", "-q").Stdout);
        Assert.Empty(Entries(Layers));

        // Each of those was an image event, as with Docker (the refused load was not).
        string until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString();
        var events = Ok("events", "--since", since, "--until", until, "--filter", "type=image", "--format", "{{.Action}} {{.Actor.Attributes.name}}").Stdout;
        Assert.Equal(["load dbox:2", "import dimp:7", "untag dbox:2", "delete dbox:2", "untag dimp:7", "delete dimp:7"],
            events.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
