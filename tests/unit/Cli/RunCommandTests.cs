using System.Text.Json;
using MyDocker.Cli;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;
using MyDocker.Shared.Api;

namespace MyDocker.UnitTests.Cli;

/// <summary><c>run</c>'s command line → the create request, without a daemon.</summary>
public class RunCommandTests
{
    private static RunCommand.Plan Plan(params string[] args) => PlanWithEnv(_ => null, args);

    private static RunCommand.Plan PlanWithEnv(Func<string, string?> env, params string[] args) =>
        RunCommand.BuildPlan(ArgParser.Parse(args, [.. RunCommand.Flags, .. CliApp.GlobalFlags], interspersed: false), env);

    private static string Json(ContainerCreateRequest request) =>
        JsonSerializer.Serialize(request, ApiJsonContext.Default.ContainerCreateRequest);

    [Fact]
    public void FlagsStopAtTheImageAndTheRestIsTheCommand()
    {
        var plan = Plan("-d", "--name", "web", "busybox", "sh", "-c", "echo -n", "-d", "--rm");
        Assert.True(plan.Detach);
        Assert.False(plan.AutoRemove);
        Assert.Equal("web", plan.Name);
        Assert.Equal("busybox", plan.Request.Image);
        Assert.Equal(["sh", "-c", "echo -n", "-d", "--rm"], plan.Request.Cmd);
    }

    [Fact]
    public void WithoutACommandTheImageDefaultIsKept()
    {
        var plan = Plan("busybox");
        Assert.Null(plan.Request.Cmd);
        Assert.Null(plan.Name);
        Assert.Equal("default", plan.Request.HostConfig!.NetworkMode);
        Assert.Null(plan.Request.NetworkingConfig);
    }

    [Fact]
    public void ExactCreateBodyForEveryFlag()
    {
        var plan = PlanWithEnv(name => name == "HOME" ? "/root" : null,
            "-net", "testbr", "--ip", "10.10.10.5", "-e", "A=1", "-e", "HOME", "-e", "UNSET", "-e", "B=x=y",
            "-v", "/srv/data:/data:ro", "-v", "/tmp:/tmp", "-m", "32m", "--cpus", "1.5", "-d", "--rm",
            "-w", "/work", "--entrypoint", "/bin/sh", "-h", "box", "--domainname", "example.test", "--dns", "192.0.2.53",
            "--dns-search", "example.test", "--dns-option", "ndots:2", "--add-host", "h1=198.51.100.7", "-u", "1000:1000", "-it", "busybox", "-c", "sleep 1");
        Assert.Equal(
            """
            {"Hostname":"box","Domainname":"example.test","User":"1000:1000","Tty":true,"OpenStdin":true,"StdinOnce":false,"Env":["A=1","HOME=/root","B=x=y"],"Cmd":["-c","sleep 1"],"Entrypoint":["/bin/sh"],"Image":"busybox","WorkingDir":"/work","HostConfig":{"Binds":["/srv/data:/data:ro","/tmp:/tmp"],"NetworkMode":"testbr","AutoRemove":true,"Memory":33554432,"MemorySwap":0,"NanoCpus":1500000000,"Privileged":false,"SecurityOpt":null,"CapAdd":null,"CapDrop":null,"PidsLimit":null,"Dns":["192.0.2.53"],"DnsSearch":["example.test"],"DnsOptions":["ndots:2"],"ExtraHosts":["h1:198.51.100.7"]},"NetworkingConfig":{"EndpointsConfig":{"testbr":{"IPAMConfig":{"IPv4Address":"10.10.10.5"},"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"MacAddress":""}}}}
            """,
            Json(plan.Request));
    }

    [Fact]
    public void SecurityFlagsAsTheDockerCliSendsThem()
    {
        string profile = Path.GetTempFileName();
        try
        {
            File.WriteAllText(profile, "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": []\n}\n");
            var host = Plan("--security-opt", "seccomp=" + profile, "--security-opt", "seccomp=unconfined", "--security-opt", "no-new-privileges",
                "--cap-add", "NET_ADMIN", "--cap-add", "sys_ptrace", "--cap-drop", "ALL", "--pids-limit", "20", "busybox").Request.HostConfig!;
            Assert.Equal(["""seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}""", "seccomp=unconfined", "no-new-privileges"], host.SecurityOpt);
            Assert.Equal(["NET_ADMIN", "sys_ptrace"], host.CapAdd);
            Assert.Equal(["ALL"], host.CapDrop);
            Assert.Equal(20, host.PidsLimit);
        }
        finally { File.Delete(profile); }
    }

    [Theory]
    [InlineData("0", -1L)]
    [InlineData("-1", -1L)]
    [InlineData("-5", -1L)]
    [InlineData("4096", 4096L)]
    public void PidsLimitZeroOrNegativeIsSentAsUnlimited(string value, long sent) =>
        Assert.Equal(sent, Plan("--pids-limit=" + value, "busybox").Request.HostConfig!.PidsLimit);

    [Theory]
    [InlineData(new[] { "--pids-limit", "lots" }, "\"lots\"")]
    [InlineData(new[] { "--security-opt", "seccomp=/no/such/profile.json" }, "/no/such/profile.json")]
    [InlineData(new[] { "--security-opt", "seccomp" }, "KEY=VALUE")]
    public void BadSecurityFlagsAreRefusedBeforeAnythingIsSent(string[] flags, string expected) =>
        Assert.Contains(expected, Assert.Throws<UsageException>(() => Plan([.. flags, "busybox"])).Message);

    [Theory]
    [InlineData(new[] { "-i", "busybox" }, false, true, true)]
    [InlineData(new[] { "-t", "busybox" }, true, false, false)]
    [InlineData(new[] { "-it", "busybox" }, true, true, true)]
    [InlineData(new[] { "-d", "-i", "busybox" }, false, true, false)]
    [InlineData(new[] { "busybox" }, false, false, false)]
    public void InteractiveAndTtyAsTheDockerCliSendsThem(string[] args, bool tty, bool openStdin, bool stdinOnce)
    {
        var r = Plan(args).Request;
        Assert.Equal((tty, openStdin, stdinOnce), (r.Tty, r.OpenStdin, r.StdinOnce));
    }

    [Theory]
    [InlineData("--network")]
    [InlineData("--net")]
    [InlineData("-net")]
    public void EveryNetworkSpellingSetsTheModeAndAnEndpoint(string spelling)
    {
        var plan = Plan(spelling, "web", "busybox");
        Assert.Equal("web", plan.Request.HostConfig!.NetworkMode);
        Assert.Null(Assert.Single(plan.Request.NetworkingConfig!.EndpointsConfig!).Value.IPAMConfig);
    }

    [Theory]
    [InlineData("32m", 33554432L)]
    [InlineData("32M", 33554432L)]
    [InlineData("32MB", 33554432L)]
    [InlineData("32mib", 33554432L)]
    [InlineData("32 m", 33554432L)]
    [InlineData("512k", 524288L)]
    [InlineData("1g", 1073741824L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("1048576", 1048576L)]
    [InlineData("100b", 100L)]
    [InlineData("0", 0L)]
    public void MemoryTakesDockersUnits(string value, long bytes) =>
        Assert.Equal(bytes, Plan("-m", value, "busybox").Request.HostConfig!.Memory);

    [Theory]
    [InlineData("junk")]
    [InlineData("32x")]
    [InlineData("-1m")]
    [InlineData("m")]
    [InlineData("1.2.3m")]
    [InlineData(".5g")]
    [InlineData("32mm")]
    [InlineData("")]
    [InlineData("99999999999p")]
    public void BadMemoryNamesTheValueAndTheFormat(string value)
    {
        var e = Assert.Throws<UsageException>(() => Plan("--memory", value, "busybox"));
        Assert.Contains($"\"{value}\"", e.Message);
        Assert.Contains("-m, --memory", e.Message);
    }

    [Fact]
    public void M7_log_driver_and_log_opt_become_the_log_config()
    {
        var host = Plan("--log-driver", "json-file", "--log-opt", "max-size=10m", "--log-opt", "max-file=1", "busybox").Request.HostConfig!;
        Assert.Equal("""{"Type":"json-file","Config":{"max-size":"10m","max-file":"1"}}""",
            JsonSerializer.Serialize(host.LogConfig, ApiJsonContext.Default.LogConfig));
        Assert.Null(Plan("busybox").Request.HostConfig!.LogConfig);
        Assert.Contains("--log-opt max-size: give KEY=VALUE", Assert.Throws<UsageException>(() => Plan("--log-opt", "max-size", "busybox")).Message);
    }

    [Theory]
    [InlineData("1.5", 1_500_000_000L)]
    [InlineData("2", 2_000_000_000L)]
    [InlineData("0.01", 10_000_000L)]
    public void CpusBecomeNanoCpus(string value, long nanos) =>
        Assert.Equal(nanos, Plan("--cpus", value, "busybox").Request.HostConfig!.NanoCpus);

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.0000000001")]
    [InlineData("1,5")]
    public void BadCpusNameTheValue(string value) =>
        Assert.Contains($"\"{value}\"", Assert.Throws<UsageException>(() => Plan("--cpus", value, "busybox")).Message);

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("10.1")]
    [InlineData("010.0.0.1")]
    [InlineData("10.0.0.1/24")]
    [InlineData("fe80::1")]
    [InlineData("a.b.c.d")]
    public void BadIpSyntaxNamesTheValue(string value)
    {
        var e = Assert.Throws<UsageException>(() => Plan("--network", "testbr", "--ip", value, "busybox"));
        Assert.Contains($"\"{value}\"", e.Message);
    }

    [Fact]
    public void IpWithoutANetworkIsRefused() =>
        Assert.Contains("needs --network", Assert.Throws<UsageException>(() => Plan("--ip", "10.0.0.5", "busybox")).Message);

    [Theory]
    [InlineData("=x")]
    [InlineData("A B=1")]
    public void BadEnvIsRefused(string value) =>
        Assert.Contains($"\"{value}\"", Assert.Throws<UsageException>(() => Plan("-e", value, "busybox")).Message);

    [Fact]
    public void EnvWithEmptyValueIsKept() => Assert.Equal(["A="], Plan("-e", "A=", "busybox").Request.Env);

    [Theory]
    [InlineData("data:/data", "must be absolute (named volumes are not supported)")]
    [InlineData("./data:/data", "must be absolute")]
    [InlineData("/data:data", "the container path \"data\" must be absolute")]
    [InlineData("/data:/data:rx", "unknown mode \"rx\"")]
    [InlineData("/data", "HOST-PATH:CONTAINER-PATH")]
    [InlineData("/a:/b:ro:x", "HOST-PATH:CONTAINER-PATH")]
    public void BadVolumesAreRefusedEarly(string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => Plan("-v", value, "busybox"));
        Assert.Contains(expected, e.Message);
        Assert.Contains($"\"{value}\"", e.Message);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("x/y")]
    [InlineData("a")]
    [InlineData("-web")]
    public void BadNamesAreRefused(string value) =>
        Assert.Contains("invalid container name", Assert.Throws<UsageException>(() => Plan("--name", value, "busybox")).Message);

    [Fact]
    public void EmptyEntrypointResetsIt() => Assert.Equal([""], Plan("--entrypoint", "", "busybox").Request.Entrypoint);

    [Theory]
    [InlineData("exec: \"nope\": executable file not found in $PATH", 127)]
    [InlineData("runc create failed: exec /nope: no such file or directory", 127)]
    [InlineData("exec /etc/passwd: permission denied", 126)]
    [InlineData("exec /bin: is a directory", 126)]
    [InlineData("No such image: nope", 125)]
    [InlineData("network nope not found", 125)]
    public void StartErrorsMapToDockersExitCodes(string message, int code) =>
        Assert.Equal(code, RunCommand.ExitCodeForStartError(message));

    [Fact]
    public void Dns_flags_and_extra_hosts_go_into_the_host_config_as_the_docker_cli_sends_them()
    {
        var plan = Plan("--dns", "192.0.2.53", "--dns", "2001:db8::53", "--dns-search", "example.test", "--dns-option", "ndots:2",
            "--dns-opt", "edns0", "--add-host", "h1:198.51.100.7", "--add-host", "h2=[2001:db8::7]", "--add-host", "gw:host-gateway",
            "--hostname", "web", "--domainname", "example.test", "busybox");
        var host = plan.Request.HostConfig!;
        Assert.Equal(["192.0.2.53", "2001:db8::53"], host.Dns);
        Assert.Equal(["example.test"], host.DnsSearch);
        Assert.Equal(["ndots:2", "edns0"], host.DnsOptions);
        Assert.Equal(["h1:198.51.100.7", "h2:2001:db8::7", "gw:host-gateway"], host.ExtraHosts);
        Assert.Equal(("web", "example.test"), (plan.Request.Hostname, plan.Request.Domainname));
        Assert.Null(Plan("busybox").Request.HostConfig!.Dns);
    }

    [Theory]
    [InlineData("--dns", "8.8.8", "DNS server \"8.8.8\" (--dns) is not an IP address")]
    [InlineData("--dns-search", "a b", "search domain \"a b\" (--dns-search) is not valid")]
    [InlineData("--dns-option", "ndots:x", "DNS option \"ndots:x\" (--dns-option) is not valid")]
    [InlineData("--add-host", "h1", "extra host \"h1\" (--add-host) has no address")]
    [InlineData("--add-host", "h1:nowhere", "\"nowhere\" is not an IP address")]
    public void A_bad_dns_value_is_a_usage_error_naming_it(string flag, string value, string expected) =>
        Assert.Contains(expected, Assert.Throws<UsageException>(() => Plan(flag, value, "busybox")).Message);
}
