using System.Text.Json;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Shared.Ports;
using MyDocker.Engine.State;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

public sealed class ContainerMappingTests
{
    [Fact]
    public void A_docker_cli_create_request_becomes_an_engine_spec()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox", Cmd = ["sleep", "1000"], Env = ["A=1"], WorkingDir = "", User = "",
            HostConfig = new HostConfig { NetworkMode = "default", Binds = ["/srv:/data:ro"], Memory = 33554432, NanoCpus = 500_000_000 },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new() { ["lan"] = new EndpointSettings { IPAMConfig = new EndpointIpamConfig { IPv4Address = "10.0.0.5" } } },
            },
        };
        var spec = ContainerMapping.ToSpec("web", body);
        Assert.Equal(("web", "busybox", "lan", "10.0.0.5"), (spec.Name, spec.Image, spec.Network, spec.Ip));
        Assert.Equal(["sleep", "1000"], spec.Spec.Cmd);
        Assert.Null(spec.Spec.WorkingDir);
        Assert.Null(spec.Spec.User);
        Assert.Equal(new BindSpec("/srv", "/data", true), Assert.Single(spec.Spec.Binds));
        Assert.Equal((33554432L, 500_000_000L), (spec.Spec.MemoryBytes, spec.Spec.NanoCpus));
    }

    [Fact]
    public void What_is_not_supported_yet_is_refused_by_name()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox",
            HostConfig = new HostConfig { RestartPolicy = new RestartPolicy { Name = "always" } },
        };
        Assert.Contains("restart policy 'always'", Assert.Throws<EngineException>(() => ContainerMapping.ToSpec(null, body)).Message);
    }

    [Fact]
    public void H2_security_options_capabilities_and_the_pids_limit_reach_the_engine_and_inspect_shows_them()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox",
            HostConfig = new HostConfig { SecurityOpt = ["seccomp=unconfined"], CapAdd = ["CAP_NET_ADMIN"], CapDrop = ["MKNOD"], PidsLimit = 20 },
        };
        var spec = ContainerMapping.ToSpec(null, body).Spec;
        Assert.Equal(["seccomp=unconfined"], spec.SecurityOpt);
        Assert.Equal(["CAP_NET_ADMIN"], spec.CapAdd);
        Assert.Equal(["MKNOD"], spec.CapDrop);
        Assert.Equal(20L, spec.PidsLimit);

        var record = ContainerStore.ToContainer(new() { Id = new string('b', 64), Name = "c", Image = "busybox", ImageId = "sha256:x" }, "n");
        var host = ContainerMapping.ToInspect(new ContainerView(record with { Spec = spec }, Net()), ContainerPaths.For(new EngineOptions(), record.Id)).HostConfig;
        Assert.Equal(["seccomp=unconfined"], host.SecurityOpt);
        Assert.Equal(["CAP_NET_ADMIN"], host.CapAdd);
        Assert.Equal(["MKNOD"], host.CapDrop);
        Assert.Equal((20L, false), (host.PidsLimit, host.Privileged));

        // Docker's shape when nothing was asked: null lists, and no limit shown as null, all written out.
        var plain = ContainerMapping.ToInspect(new ContainerView(record with { Spec = new ContainerSpec { PidsLimit = 0 } }, Net()), ContainerPaths.For(new EngineOptions(), record.Id));
        string json = System.Text.Json.JsonSerializer.Serialize(plain, ApiJsonContext.Default.ContainerInspect);
        Assert.Contains("\"Privileged\":false,\"SecurityOpt\":null,\"CapAdd\":null,\"CapDrop\":null,\"PidsLimit\":null", json);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(0L, null)]
    [InlineData(-1L, -1L)]
    [InlineData(100L, 100L)]
    public void M7_a_pids_limit_of_0_is_what_the_docker_cli_sends_without_the_flag_and_means_the_default(long? sent, long? requested) =>
        Assert.Equal(requested, ContainerMapping.ToSpec(null, new ContainerCreateRequest { Image = "busybox", HostConfig = new HostConfig { PidsLimit = sent } }).Spec.PidsLimit);

    [Fact]
    public void H2_privileged_and_unmasked_system_paths_are_refused_by_name()
    {
        var privileged = new ContainerCreateRequest { Image = "busybox", HostConfig = new HostConfig { Privileged = true } };
        Assert.Contains("--privileged is not supported", Assert.Throws<EngineException>(() => ContainerMapping.ToSpec(null, privileged)).Message);
        var unmasked = new ContainerCreateRequest { Image = "busybox", HostConfig = new HostConfig { MaskedPaths = [], ReadonlyPaths = [] } };
        Assert.Contains("systempaths=unconfined", Assert.Throws<EngineException>(() => ContainerMapping.ToSpec(null, unmasked)).Message);
    }

    [Fact]
    public void Port_bindings_become_publish_requests()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox",
            ExposedPorts = new() { ["80/tcp"] = new EmptyObject(), ["53/udp"] = new EmptyObject() },
            HostConfig = new HostConfig
            {
                PortBindings = new()
                {
                    ["80/tcp"] = [new PortBinding { HostIp = "", HostPort = "8080" }, new PortBinding { HostIp = "127.0.0.1", HostPort = "" }],
                    ["53/udp"] = [new PortBinding { HostPort = "5300-5310" }],
                    ["443/tcp"] = null,
                },
            },
        };
        Assert.Equal(
            [
                new PortRequest("tcp", "0.0.0.0", 8080, 8080, 80),
                new PortRequest("tcp", "127.0.0.1", 0, 0, 80),
                new PortRequest("udp", "0.0.0.0", 5300, 5310, 53),
            ],
            ContainerMapping.ToSpec(null, body).Publish);
    }

    [Fact]
    public void Published_ports_show_in_ps_and_inspect_as_docker_shows_them()
    {
        var record = ContainerStore.ToContainer(new()
        {
            Id = new string('a', 64), Name = "web", Image = "busybox", ImageId = "sha256:x", Phase = ContainerPhase.Running,
        }, [new ContainerEndpointEntity { ContainerId = new string('a', 64), NetworkId = "n", IpAddress = "10.0.0.2" }]);
        var spec = new ContainerSpec { Ports = [new("tcp", "0.0.0.0", 8080, 80), new("tcp", "127.0.0.1", 33000, 80), new("udp", "0.0.0.0", 5353, 53)] };
        var view = new ContainerView(record with { Spec = spec }, Net());

        var summary = ContainerMapping.ToSummary(view);
        Assert.Equal([("0.0.0.0", 80, 8080, "tcp"), ("127.0.0.1", 80, 33000, "tcp"), ("0.0.0.0", 53, 5353, "udp")],
            summary.Ports.Select(p => (p.IP, p.PrivatePort, p.PublicPort ?? 0, p.Type)));

        var inspect = ContainerMapping.ToInspect(view, ContainerPaths.For(new EngineOptions(), record.Id));
        string json = System.Text.Json.JsonSerializer.Serialize(inspect.NetworkSettings.Ports);
        Assert.Equal("""{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"127.0.0.1","HostPort":"33000"}],"53/udp":[{"HostIp":"0.0.0.0","HostPort":"5353"}]}""", json);
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(inspect.HostConfig.PortBindings));
        Assert.Equal(["80/tcp", "53/udp"], inspect.Config.ExposedPorts!.Keys);

        // Docker shows NetworkSettings.Ports only while the container runs; the bindings stay in HostConfig.
        view = view with { Container = view.Container with { Phase = ContainerPhase.Exited } };
        var stopped = ContainerMapping.ToInspect(view, ContainerPaths.For(new EngineOptions(), record.Id));
        Assert.Empty(stopped.NetworkSettings.Ports);
        Assert.Equal(json, System.Text.Json.JsonSerializer.Serialize(stopped.HostConfig.PortBindings));
    }

    [Fact]
    public void M7_a_log_max_size_is_kept_and_shown_by_inspect_and_other_log_options_are_refused()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox",
            HostConfig = new HostConfig { LogConfig = new LogConfig { Type = "json-file", Config = new() { ["max-size"] = "10m" } } },
        };
        var spec = ContainerMapping.ToSpec(null, body).Spec;
        Assert.Equal("10m", spec.LogMaxSize);
        // What the docker CLI sends without --log-driver/--log-opt: the daemon's default.
        Assert.Null(ContainerMapping.ToSpec(null, new ContainerCreateRequest { Image = "busybox", HostConfig = new HostConfig { LogConfig = new LogConfig() } }).Spec.LogMaxSize);

        var record = ContainerStore.ToContainer(new() { Id = new string('a', 64), Name = "web", Image = "busybox", ImageId = "sha256:x" }, "n");
        var inspect = ContainerMapping.ToInspect(new ContainerView(record with { Spec = spec }, Net()), ContainerPaths.For(new EngineOptions(), record.Id));
        Assert.Equal("""{"Type":"k8s-file","Config":{"max-size":"10m"}}""", System.Text.Json.JsonSerializer.Serialize(inspect.HostConfig.LogConfig));

        body.HostConfig.LogConfig = new LogConfig { Type = "journald" };
        Assert.Contains("log driver 'journald' is not supported", Assert.Throws<EngineException>(() => ContainerMapping.ToSpec(null, body)).Message);
    }

    [Theory]
    [InlineData(true, true, true, false)]
    [InlineData(false, true, false, true)]
    [InlineData(true, false, false, false)]
    public void Tty_and_stdin_are_kept_and_stdin_stays_open_without_stdin_once(bool tty, bool openStdin, bool stdinOnce, bool keepOpen)
    {
        var spec = ContainerMapping.ToSpec(null, new ContainerCreateRequest { Image = "busybox", Tty = tty, OpenStdin = openStdin, StdinOnce = stdinOnce }).Spec;
        Assert.Equal((tty, openStdin, keepOpen), (spec.Tty, spec.OpenStdin, spec.KeepStdinOpen));
    }

    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGTERM", 15)]
    [InlineData("2", 2)]
    [InlineData(null, 9)]
    public void Signals_parse_as_docker_accepts_them(string? text, int expected) => Assert.Equal(expected, Signals.Parse(text));

    [Fact]
    public void Unknown_signals_and_filters_are_refused()
    {
        Assert.Contains("unknown", Assert.Throws<EngineException>(() => Signals.Parse("NOPE")).Message);
        Assert.Contains("can be filtered by", Assert.Throws<EngineException>(() => ContainerFilters.Parse("""{"colour":["red"]}""")).Message);
    }

    [Fact]
    public void Unix_times_with_fractions_parse()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(1234567), Query.UnixTime("1700000000.123456789", "since"));
        Assert.Null(Query.UnixTime("0", "since"));
        Assert.Throws<EngineException>(() => Query.UnixTime("yesterday", "since"));
    }

    /// <summary>The network "net" (10.0.0.0/24) the containers of these tests are on.</summary>
    [Fact]
    public void Dns_options_extra_hosts_and_names_reach_the_engine_and_inspect_shows_them_where_docker_does()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox", Hostname = "web", Domainname = "example.test",
            HostConfig = new HostConfig
            {
                Dns = ["192.0.2.53"], DnsSearch = ["example.test"], DnsOptions = ["ndots:2"], ExtraHosts = ["h1:198.51.100.7", "gw:host-gateway"],
            },
        };
        var spec = ContainerMapping.ToSpec(null, body).Spec;
        Assert.Equal(["192.0.2.53"], spec.Dns);
        Assert.Equal(["example.test"], spec.DnsSearch);
        Assert.Equal(["ndots:2"], spec.DnsOptions);
        Assert.Equal(["h1:198.51.100.7", "gw:host-gateway"], spec.ExtraHosts);

        var record = ContainerStore.ToContainer(new() { Id = new string('b', 64), Name = "c", Image = "busybox", ImageId = "sha256:x" }, "n");
        var inspect = ContainerMapping.ToInspect(new ContainerView(record with { Spec = spec }, Net()), ContainerPaths.For(new EngineOptions(), record.Id));
        Assert.Equal(["192.0.2.53"], inspect.HostConfig.Dns);
        Assert.Equal(["example.test"], inspect.HostConfig.DnsSearch);
        Assert.Equal(["ndots:2"], inspect.HostConfig.DnsOptions);
        Assert.Equal(["h1:198.51.100.7", "gw:host-gateway"], inspect.HostConfig.ExtraHosts);
        Assert.Equal(("web", "example.test"), (inspect.Config.Hostname, inspect.Config.Domainname));

        // None given (the docker CLI sends empty lists and a null ExtraHosts): empty lists, as Docker's [] [] [] null read.
        var none = ContainerMapping.ToSpec(null, new ContainerCreateRequest { Image = "busybox", HostConfig = new HostConfig { Dns = [] } }).Spec;
        var json = JsonSerializer.Serialize(ContainerMapping.ToInspect(new ContainerView(record with { Spec = none }, Net()), ContainerPaths.For(new EngineOptions(), record.Id)).HostConfig,
            ApiJsonContext.Default.HostConfig);
        Assert.Contains("\"Dns\":[],\"DnsSearch\":[],\"DnsOptions\":[],\"ExtraHosts\":[]", json);
    }

    private static Engine.Networks.Network Net() => NetworkStore.ToNetwork(new()
    {
        Id = "n", Name = "net", Subnet = "10.0.0.0/24", Gateway = "10.0.0.1", Bridge = "md-n",
    });
}
