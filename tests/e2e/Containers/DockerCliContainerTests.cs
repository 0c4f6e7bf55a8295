using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Containers;

/// <summary>The standard docker CLI, an independent client of our API, runs, lists, logs, inspects, waits for and removes
/// containers as it would against Docker.</summary>
public sealed class DockerCliContainerTests : IDisposable
{
    private readonly DaemonUnderTest _d = new DaemonUnderTest("cdk").WithBusybox();

    public void Dispose() => _d.Dispose();

    private string DockerOk(params string[] args)
    {
        var r = _d.Docker(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)} exited {r.ExitCode}\n{r.Stdout}\n{r.Stderr}\ndaemon log:\n{_d.Logs}");
        return r.Stdout;
    }

    [Fact]
    public void Docker_run_ps_logs_inspect_stop_and_rm()
    {
        DockerOk("network", "create", "--subnet", "10.95.0.0/24", "dnet");
        var clean = ContainerTraces.Of(_d);
        string id = DockerOk("run", "-d", "--name", "dweb", "--network", "dnet", "-e", "WHO=docker", "busybox",
            "sh", "-c", "echo hello $WHO; echo warn >&2; exec sleep 1000").Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);

        var ps = DockerOk("ps");
        Assert.Contains(id[..12], ps);
        Assert.Contains("dweb", ps);
        Assert.Contains("Up ", ps);
        Assert.Contains("dweb", DockerOk("ps", "--filter", "name=dweb", "--format", "{{.Names}}"));
        Assert.Equal("", DockerOk("ps", "--filter", "name=nothing", "-q").Trim());

        _d.Eventually(() => _d.Docker("logs", "dweb").Stderr.Contains("warn"), "docker logs shows stderr");
        var logs = _d.Docker("logs", "dweb");
        Assert.Equal("hello docker\n", logs.Stdout);
        Assert.Equal("warn\n", logs.Stderr);
        var last = _d.Docker("logs", "--tail", "1", "dweb");
        Assert.Equal(("", "warn\n"), (last.Stdout, last.Stderr));

        using (var doc = JsonDocument.Parse(DockerOk("inspect", "dweb")))
        {
            var c = doc.RootElement[0];
            Assert.Equal(id, c.GetProperty("Id").GetString());
            Assert.True(c.GetProperty("State").GetProperty("Running").GetBoolean());
            Assert.StartsWith("10.95.0.", c.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("dnet").GetProperty("IPAddress").GetString());
        }
        Assert.Equal("10.95.0.2", DockerOk("inspect", "-f", "{{.NetworkSettings.Networks.dnet.IPAddress}}", "dweb").Trim());

        DockerOk("stop", "-t", "0", "dweb");
        Assert.Equal("137", DockerOk("wait", "dweb").Trim());
        Assert.Contains("Exited (137)", DockerOk("ps", "-a"));
        DockerOk("start", "dweb");
        DockerOk("rm", "-f", "dweb");
        ContainerTraces.AssertBackTo(_d, clean);
    }

    [Fact]
    public void Docker_run_sets_the_host_and_domain_name_and_refuses_a_bad_one()
    {
        // runc 1.1 ignores the spec's domainname field; the engine sets it through the UTS sysctl.
        DockerOk("run", "-d", "--name", "named", "--hostname", "web", "--domainname", "example.com", "busybox", "sleep", "1000");
        Assert.Equal("web\n", DockerOk("exec", "named", "hostname"));
        Assert.Equal("example.com\n", DockerOk("exec", "named", "cat", "/proc/sys/kernel/domainname"));
        Assert.Equal("example.com\n", DockerOk("inspect", "-f", "{{.Config.Domainname}}", "named"));

        var clean = ContainerTraces.Of(_d);
        var bad = _d.Docker("run", "-d", "--domainname", "example.com\n10.0.0.9 bank", "busybox", "true");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("domain name 'example.com?10.0.0.9 bank' is not valid", bad.Stderr);
        ContainerTraces.AssertBackTo(_d, clean);
    }

    [Fact]
    public void Docker_run_in_the_foreground_exits_with_the_containers_code()
    {
        var r = _d.Docker("run", "--rm", "busybox", "sh", "-c", "echo out; exit 5");
        Assert.Equal(5, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
    }

    [Fact]
    public void Docker_events_streams_container_events()
    {
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        DockerOk("run", "-d", "--name", "ev", "busybox", "true");
        _d.Eventually(() => _d.StateOf("ev") == "exited", "exited");
        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var events = DockerOk("events", "--since", since.ToString(), "--until", until.ToString(), "--filter", "container=ev", "--format", "{{.Action}}");
        Assert.Equal(["create", "start", "die"], events.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The network side names the network and the container, on connect and on disconnect alike (as Docker does).
        string id = DockerOk("inspect", "--format", "{{.Id}}", "ev").Trim();
        DockerOk("rm", "ev");
        until = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1;
        var network = DockerOk("events", "--since", since.ToString(), "--until", until.ToString(), "--filter", "type=network",
            "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}");
        Assert.Equal([$"connect bridge {id}", $"disconnect bridge {id}"],
            network.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("create ", StringComparison.Ordinal)));
    }
}
