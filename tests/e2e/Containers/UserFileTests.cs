using System.Formats.Tar;
using System.Net;
using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>
/// The daemon reads the image's (at create) and the running container's (at exec -u) /etc/passwd and /etc/group as a
/// host process; neither may hang it or lend it a host file. An exec user gets exactly its own groups.
/// </summary>
public sealed class UserFileTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("usr").WithBusybox();

    private void Load(string rootfsTar, string tag, string? user = null)
    {
        var (archive, _) = TestImages.DockerSave(rootfsTar, tag, ["sleep", "1000"], user: user);
        _d.CliOk("load", "-i", archive);
    }

    [Fact]
    public async Task Create_with_a_fifo_etc_passwd_answers_400_naming_the_file_and_the_image()
    {
        Load(TestImages.BusyboxWith(new GnuTarEntry(TarEntryType.Fifo, "./etc/passwd") { Mode = (UnixFileMode)0x1a4 }), "fifo:1", user: "app");
        var before = ContainerTraces.Of(_d);
        using var http = _d.Http(); // its 30 s timeout fails the test if the daemon blocks on the FIFO
        var r = await http.PostAsync("/containers/create?name=stuck", new StringContent("""{"Image":"fifo:1"}""", System.Text.Encoding.UTF8, "application/json"));
        string body = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("/etc/passwd of image 'fifo:1' is a FIFO, not a regular file", JsonDocument.Parse(body).RootElement.GetProperty("message").GetString());
        Assert.Equal(before, ContainerTraces.Of(_d));
        // The daemon is fine: the next request is served.
        _d.RunDetached("--name", "ok", "busybox", "sleep", "1000");
    }

    [Fact]
    public void Exec_u_against_a_passwd_the_container_replaced_fails_promptly_and_never_reads_a_host_file()
    {
        // (runc itself then blocks inside that container on its next exec: it reads /etc/passwd in there, as Docker's
        // runc does; that is the container's own business, and a client that gives up ends it, see AbandonedClientTests.)
        _d.RunDetached("--name", "fifo", "busybox", "sleep", "1000");
        _d.CliOk("exec", "fifo", "sh", "-c", "rm /etc/passwd && mkfifo /etc/passwd");
        var r = _d.Cli("exec", "-u", "nobody", "fifo", "id");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("/etc/passwd of container 'fifo' is a FIFO", r.Stderr);

        // A symlink to a host file holding an account the container lacks: the host's file is never read.
        _d.RunDetached("--name", "link", "busybox", "sleep", "1000");
        string hostFile = Path.Combine(_d.Root, "host-passwd");
        File.WriteAllText(hostFile, "hostonly:x:4242:4242::/:/bin/sh\n");
        _d.CliOk("exec", "link", "sh", "-c", $"rm /etc/passwd && ln -s {hostFile} /etc/passwd");
        Assert.Contains("unable to find user hostonly", _d.Cli("exec", "-u", "hostonly", "link", "id").Stderr);
    }

    [Fact]
    public void Exec_u_gets_exactly_the_users_groups_not_the_containers()
    {
        // root is a member of gid 6 ("disk", as in Alpine's /etc/group); the container runs as root.
        Load(TestImages.BusyboxWith(TestImages.TextFile("./etc/group", "root:x:0:\ndisk:x:6:root\nnobody:x:65534:\n")), "groups:1");
        _d.RunDetached("--name", "grp", "groups:1");
        Assert.Equal("0 6\n", _d.CliOk("exec", "grp", "id", "-G"));
        Assert.Equal("65534\n", _d.CliOk("exec", "-u", "65534", "grp", "id", "-G"));
        Assert.Equal("65534\n", _d.CliOk("exec", "-u", "nobody", "grp", "id", "-G"));
        Assert.Equal("0 6\n", _d.CliOk("exec", "-u", "0", "grp", "id", "-G"));
        var docker = _d.Docker("exec", "-u", "65534", "grp", "id", "-G");
        Assert.Equal((0, "65534\n"), (docker.ExitCode, docker.Stdout));
    }

    public void Dispose() => _d.Dispose();
}
