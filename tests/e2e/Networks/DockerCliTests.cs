using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Networks;

/// <summary>The standard docker CLI (an independent client of our API) drives the same operations.</summary>
public sealed class DockerCliTests : IDisposable
{
    private readonly DaemonUnderTest _d = new("dkr");

    public void Dispose() => _d.Dispose();

    private string Ok(params string[] args)
    {
        var r = _d.Docker(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}{r.Stdout}\n{_d.Logs}");
        return r.Stdout;
    }

    [Fact]
    public void Docker_cli_creates_lists_inspects_and_removes_networks()
    {
        Assert.Contains("MyDocker", Ok("version"));
        string id = Ok("network", "create", "--subnet", "10.20.0.0/16", "--gateway", "10.20.0.1", "dnet").Trim();
        Assert.Matches("^[0-9a-f]{64}$", id);
        string ls = Ok("network", "ls");
        Assert.Contains("dnet", ls);
        Assert.Contains(id[..12], ls);
        Assert.Contains("dnet", Ok("network", "ls", "--filter", "name=dn"));
        Assert.DoesNotContain("dnet", Ok("network", "ls", "--filter", "name=zzz"));

        using var doc = JsonDocument.Parse(Ok("network", "inspect", "dnet"));
        var net = doc.RootElement[0];
        Assert.Equal("10.20.0.0/16", net.GetProperty("IPAM").GetProperty("Config")[0].GetProperty("Subnet").GetString());
        Assert.Equal("10.20.0.0/16", Ok("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "dnet").Trim());
        Assert.Contains(KernelSnapshot.Of(_d.Netns).Links, l => l.Alias == "mydocker:net:" + id);

        var dup = _d.Docker("network", "create", "dnet");
        Assert.NotEqual(0, dup.ExitCode);
        Assert.Contains("already exists", dup.Stderr);

        Assert.Contains("dnet", Ok("network", "rm", "dnet"));
        _d.Eventually(() => !KernelSnapshot.Of(_d.Netns).Bridges.Any(), "the bridge deleted");
        var gone = _d.Docker("network", "inspect", "dnet");
        Assert.NotEqual(0, gone.ExitCode);
    }

    [Fact]
    public void Docker_and_mydocker_prune_remove_unused_networks()
    {
        Ok("network", "create", "--subnet", "10.21.0.0/24", "p1");
        Ok("network", "create", "--subnet", "10.22.0.0/24", "p2");
        string pruned = Ok("network", "prune", "-f");
        Assert.Contains("p1", pruned);
        Assert.Contains("p2", pruned);
        Assert.Empty(_d.NetworkNames());

        _d.CliOk("network", "create", "--subnet", "10.23.0.0/24", "p3");
        Assert.Contains("p3", _d.CliOk("network", "prune", "--force"));
        Assert.Empty(_d.NetworkNames());
        _d.Eventually(() => !KernelSnapshot.Of(_d.Netns).Bridges.Any(), "pruned bridges deleted");
    }
}
