using MyDocker.Cli;
using MyDocker.Cli.Parsing;

namespace MyDocker.UnitTests.Cli;

public class DaemonHostTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => Array.Find(vars, v => v.Name == name).Value;

    [Fact]
    public void FlagBeatsEnvironment() =>
        Assert.Equal("unix:///a.sock", DaemonHost.Resolve("unix:///a.sock", Env(("MYDOCKER_HOST", "unix:///b.sock"))));

    [Fact]
    public void MyDockerHostBeatsDockerHost() =>
        Assert.Equal("unix:///b.sock", DaemonHost.Resolve(null, Env(("MYDOCKER_HOST", "unix:///b.sock"), ("DOCKER_HOST", "unix:///c.sock"))));

    [Fact]
    public void UnixDockerHostIsUsed() =>
        Assert.Equal("unix:///c.sock", DaemonHost.Resolve(null, Env(("DOCKER_HOST", "unix:///c.sock"))));

    [Fact]
    public void TcpDockerHostIsIgnored() =>
        Assert.Equal(DaemonHost.Default, DaemonHost.Resolve(null, Env(("DOCKER_HOST", "tcp://127.0.0.1:2375"))));

    [Fact]
    public void BarePathIsAccepted() =>
        Assert.Equal("unix:///run/x.sock", DaemonHost.Resolve("/run/x.sock", Env()));

    [Theory]
    [InlineData("tcp://127.0.0.1:2375")]
    [InlineData("unix://relative.sock")]
    [InlineData("relative.sock")]
    public void NonUnixHostIsAUsageError(string host)
    {
        var e = Assert.Throws<UsageException>(() => DaemonHost.Resolve(host, Env()));
        Assert.Contains(host, e.Message);
    }
}
