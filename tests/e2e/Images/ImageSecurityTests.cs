using System.Formats.Tar;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine;
using MyDocker.Engine.State;

namespace MyDocker.E2ETests.Images;

/// <summary>
/// The security audit's image and daemon-directory findings through the real daemon: C1 (diff_ids as paths), M5 (data
/// root permissions), M6 (malformed configs), L6 (socket permissions), L7 (import bounds, 413) and seed tarballs.
/// </summary>
public sealed class ImageSecurityTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("isec", start: false);
    private readonly List<string> _outside = [];

    public void Dispose()
    {
        _d.Dispose();
        foreach (var dir in _outside) try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private string Layers => Path.Combine(_d.DataRoot, "image", "layers");

    private static IEnumerable<string> Entries(string dir) => Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir) : [];

    private static string Octal(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    private string Outside()
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-e2e-victim-").FullName;
        _outside.Add(dir);
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "marker"), "mine");
        File.WriteAllText(Path.Combine(dir, "sub", "inner"), "also mine");
        return dir;
    }

    /// <summary>A `docker save` archive of the busybox layer plus a second layer whose diff_id is <paramref name="evilDiffId"/>.</summary>
    private static string ArchiveWithDiffId(string evilDiffId)
    {
        byte[] layer = File.ReadAllBytes(TestImages.BusyboxTar);
        string diffHex = Convert.ToHexStringLower(SHA256.HashData(layer));
        byte[] config = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            architecture = "amd64", os = "linux", config = new { Cmd = new[] { "sh" } },
            rootfs = new { type = "layers", diff_ids = new[] { "sha256:" + diffHex, evilDiffId } },
        }));
        string configHex = Convert.ToHexStringLower(SHA256.HashData(config));
        string manifest = $$"""[{"Config":"{{configHex}}.json","RepoTags":["evil:1"],"Layers":["{{diffHex}}/layer.tar","evil/layer.tar"]}]""";
        string path = Path.Combine(Path.GetTempPath(), $"mydocker-e2e-evil-{Guid.NewGuid():N}.tar");
        using (var file = File.Create(path))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] data) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add(diffHex + "/layer.tar", layer);
            Add("evil/layer.tar", layer);
            Add(configHex + ".json", config);
            Add("manifest.json", Encoding.UTF8.GetBytes(manifest));
        }
        return path;
    }

    [Fact]
    public void C1_an_archive_whose_diff_id_names_a_host_directory_is_refused_and_that_directory_is_untouched()
    {
        _d.Start();
        string victim = Outside();
        foreach (var diffId in new[] { victim, "sha256:../../../../../../.." + victim, "../../../../../../.." + victim, "" })
        {
            string archive = ArchiveWithDiffId(diffId);
            try
            {
                var r = _d.Cli("load", "-i", archive);
                Assert.Equal(1, r.ExitCode);
                Assert.Contains("not a digest", r.Stderr);
            }
            finally { File.Delete(archive); }
            Assert.Equal("", _d.CliOk("images", "-q"));
            Assert.Empty(Entries(Layers));
            Assert.Equal("mine", File.ReadAllText(Path.Combine(victim, "marker")));
            Assert.Equal("also mine", File.ReadAllText(Path.Combine(victim, "sub", "inner")));
            Assert.Equal(2, Directory.EnumerateFileSystemEntries(victim).Count());
        }
    }

    [Fact]
    public void M5_an_existing_0755_data_root_is_made_private_and_other_users_cannot_reach_the_layers()
    {
        foreach (var dir in new[] { _d.DataRoot, _d.ExecRoot })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ed);
        }
        File.SetUnixFileMode(_d.Root, (UnixFileMode)0x1ed); // so that only the data root's own mode stands in the way
        _d.Start();
        var (archive, _) = TestImages.DockerSave(TestImages.BusyboxTar, "m5:1", ["true"]);
        _d.CliOk("load", "-i", archive);
        var run = _d.Docker("run", "--rm", "m5:1");
        Assert.True(run.ExitCode == 0, $"run m5:1: {run.Stderr}\n{_d.Logs}");

        foreach (var dir in new[] { _d.DataRoot, _d.ExecRoot, Path.Combine(_d.DataRoot, "image"), Layers, Path.Combine(_d.DataRoot, "image", "tmp"),
                     Path.Combine(_d.DataRoot, "containers") })
            Assert.True(Octal(dir) == "700", $"{dir} is {Octal(dir)}");
        Assert.Equal("600", Octal(Path.Combine(_d.DataRoot, "mydocker.db")));
        Assert.Equal("600", Octal(_d.Socket));
        var nobody = Command.TryRun("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "ls", Layers]);
        Assert.True(nobody.ExitCode != 0, $"user nobody listed the layers: {nobody.Stdout}");
        Assert.Contains("Permission denied", nobody.Stderr);
    }

    [Fact]
    public void M5_a_data_root_another_user_owns_stops_the_daemon_with_a_clear_message()
    {
        Directory.CreateDirectory(_d.DataRoot);
        Command.Run("chown", ["65534:65534", _d.DataRoot]);
        _d.Start(waitReady: false);
        Assert.Equal(1, _d.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains($"the data root {_d.DataRoot} is owned by uid 65534", _d.Logs);
    }

    [Fact]
    public void L6_with_umask_000_and_a_0755_socket_directory_the_socket_is_0600_from_the_moment_it_appears()
    {
        string socketDir = Path.Combine(_d.Root, "sock");
        Directory.CreateDirectory(socketDir);
        File.SetUnixFileMode(socketDir, (UnixFileMode)0x1ed);
        _d.Socket = Path.Combine(socketDir, "api.sock");
        _d.Umask = "000";
        _d.Start(waitReady: false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        UnixFileMode? first = null;
        while (first is null && DateTime.UtcNow < deadline)
        {
            try { first = File.GetUnixFileMode(_d.Socket); }
            catch (FileNotFoundException) { Thread.Yield(); }
        }
        Assert.True(first.HasValue, "the socket never appeared\n" + _d.Logs);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, first);
        _d.WaitReady();
        Assert.Equal("755", Octal(socketDir)); // a shared directory is checked, not chmod-ed
        Assert.Equal([_d.Socket], Directory.EnumerateFileSystemEntries(socketDir)); // no staging directory left
        Assert.Equal("700", Octal(_d.DataRoot));
    }

    [Fact]
    public void L6_a_socket_directory_other_users_can_write_stops_the_daemon()
    {
        string socketDir = Path.Combine(_d.Root, "open");
        Directory.CreateDirectory(socketDir);
        File.SetUnixFileMode(socketDir, (UnixFileMode)0x1ff);
        _d.Socket = Path.Combine(socketDir, "api.sock");
        _d.Start(waitReady: false);
        Assert.Equal(1, _d.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Contains($"the socket directory {socketDir} is writable by other users", _d.Logs);
    }

    [Fact]
    public void M6_an_image_row_with_a_malformed_config_does_not_stop_listing_running_or_removing()
    {
        _d.Start();
        var (archive, goodId) = TestImages.DockerSave(TestImages.BusyboxTar, "good:1", ["echo", "ran"]);
        _d.CliOk("load", "-i", archive);
        _d.Stop();
        string badId = "sha256:" + new string('e', 64);
        using (var db = new StateDbFactory(Path.Combine(_d.DataRoot, "mydocker.db")).Create())
        {
            db.Images.Add(new ImageEntity { Id = badId, LayersJson = "[1]", ConfigJson = """{"Cmd":[1],"Env":{"A":2},"WorkingDir":[]}""", Created = DateTimeOffset.UtcNow });
            db.ImageTags.Add(new ImageTagEntity { Reference = "bad:latest", ImageId = badId });
            db.SaveChanges();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _d.Start();

        string ids = _d.CliOk("images", "-q");
        Assert.Contains(goodId[7..19], ids);
        Assert.Contains(badId[7..19], ids);
        var run = _d.Docker("run", "--rm", "good:1");
        Assert.True(run.ExitCode == 0 && run.Stdout.Contains("ran"), $"run good:1: {run.ExitCode} {run.Stdout}{run.Stderr}\n{_d.Logs}");
        Assert.Contains("Deleted: " + badId, _d.CliOk("rmi", "bad"));
        Assert.Equal(goodId[7..19] + "\n", _d.CliOk("images", "-q"));
    }

    [Fact]
    public async Task L7_a_100_MB_PAX_header_is_refused_and_the_daemon_does_not_allocate_it()
    {
        _d.Start();
        long before = _d.StatusKb("VmHWM");
        const long declared = 100L << 20;
        using var http = _d.Http();
        var content = new StreamContent(new GeneratedStream(TarBuilder.RawHeader("big", 'x', declared), 512 + declared + 1024));
        content.Headers.ContentType = new("application/x-tar");
        var response = await http.PostAsync("/images/load", content);
        string body = await response.Content.ReadAsStringAsync();
        long grown = _d.StatusKb("VmHWM") - before;
        Assert.True(grown < 50 * 1024, $"the daemon's peak RSS grew by {grown} KiB while refusing the archive");
        Assert.Contains("PAX extended header of 104857600 bytes", body);
        Assert.Contains("image tarball", body);
        Assert.Equal("", _d.CliOk("images", "-q"));
    }

    [Fact]
    public void L7_a_request_body_over_the_limit_is_413_not_400()
    {
        _d.Start();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_d.Socket));
        // Kestrel refuses a declared Content-Length over its 30 MB default before reading the body.
        socket.Send(Encoding.ASCII.GetBytes(
            "POST /networks/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{\"Name\":"));
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
            if (answer.ToString().Contains("}")) break;
        }
        Assert.StartsWith("HTTP/1.1 413", answer.ToString());
        Assert.Contains("\"message\":\"the request body is too large", answer.ToString());
    }

    [Fact]
    public async Task A_seed_tarball_in_a_fresh_data_root_is_listed_before_anything_else_is_called()
    {
        string imageDir = Path.Combine(_d.DataRoot, "image");
        Directory.CreateDirectory(imageDir);
        File.Copy(TestImages.BusyboxTar, Path.Combine(imageDir, "busybox.tar"));
        File.WriteAllText(Path.Combine(imageDir, "broken.tar"), "not a tarball at all, and long enough to be read as one" + new string('x', 600));
        _d.Start();
        using var http = _d.Http();
        using var list = JsonDocument.Parse(await http.GetStringAsync("/images/json"));
        var tags = list.RootElement.EnumerateArray().SelectMany(i => i.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString())).ToList();
        Assert.Equal(["busybox:latest"], tags);
        // The console logger writes from a queue: the line may trail the answer a little.
        _d.Eventually(() => _d.LogLines("").Any(l => l.Contains("broken.tar") && l.Contains("could not be imported")), "the broken seed is logged by name");
    }
}
