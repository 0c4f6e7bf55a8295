using System.Net;
using MyDocker.Resolver;
using MyDocker.Resolver.Control;
using MyDocker.Resolver.Persistence;
using MyDocker.Resolver.Records;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The resolver's command line and its snapshot file.</summary>
public sealed class ResolverFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("resolver-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_command_line_takes_the_protocols_options_with_defaults()
    {
        var options = Options.Parse(["--listen", "169.254.53.53", "--control", "/run/r.sock", "--snapshot", "/run/r.snap", "--pid-file", "/run/r.pid"]);
        Assert.Equal(new Options(IPAddress.Parse("169.254.53.53"), 53, "/run/r.sock", "/run/r.snap", "/run/r.pid", "/etc/resolv.conf"), options);
    }

    [Theory]
    [InlineData(new[] { "--control", "/r.sock" }, "--listen is required")]
    [InlineData(new[] { "--listen", "fd00::53", "--control", "/r.sock" }, "--listen 'fd00::53' is not an IPv4 address")]
    [InlineData(new[] { "--listen", "169.254.53.53", "--control", "r.sock" }, "--control 'r.sock' must be an absolute path")]
    [InlineData(new[] { "--listen", "169.254.53.53", "--control", "/r.sock", "--port", "70000" }, "--port '70000'")]
    [InlineData(new[] { "--listen", "169.254.53.53", "--control", "/r.sock", "--cache", "1" }, "unknown option '--cache'")]
    [InlineData(new[] { "--listen", "169.254.53.53", "--control" }, "--control needs a value")]
    public void A_bad_command_line_is_refused_by_option(string[] args, string error)
    {
        Assert.Contains(error, Assert.Throws<ArgumentException>(() => Options.Parse(args)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_reach_the_snapshot_file_which_a_new_table_loads()
    {
        var path = Path.Combine(_dir, "resolver.snapshot");
        SnapshotFile? file = null;
        var table = new ContainerTable(() => file?.Changed());
        file = new SnapshotFile(path, table, _ => { });
        var protocol = new ControlProtocol(table);
        protocol.Handle("""{"op":"put","container":"c1","endpoints":[{"network":"n1","ip":"10.1.0.2","names":["web"]}]}""");
        protocol.Handle("""{"op":"put","container":"c2","endpoints":[{"network":"n1","ip":"10.1.0.3","names":["db"]}]}""");

        file.Flush();
        file.Flush(); // nothing changed since: no second write needed, none harmful

        var again = new ContainerTable();
        Assert.Equal(2, new SnapshotFile(path, again, _ => { }).Load(new ControlProtocol(again)));
        Assert.Equal(["c1", "c2"], again.Records.Keys.Order());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void A_bad_snapshot_is_skipped_and_a_missing_one_is_no_error()
    {
        var table = new ContainerTable();
        var logged = new List<string>();
        File.WriteAllText(Path.Combine(_dir, "bad"), "{\"op\":\"replace\",\"containers\":[{\"container\":\"c1\",\"endpoints\":[{\"network\":\"n1\",\"ip\":\"x\"}]}]}");

        Assert.Equal(0, new SnapshotFile(Path.Combine(_dir, "missing"), table, logged.Add).Load(new ControlProtocol(table)));
        Assert.Equal(0, new SnapshotFile(Path.Combine(_dir, "bad"), table, logged.Add).Load(new ControlProtocol(table)));
        Assert.Contains("containers[0].endpoints[0].ip", Assert.Single(logged), StringComparison.Ordinal);
    }
}
