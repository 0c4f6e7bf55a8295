using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using System.Text.Json;
using MyDocker.Cli.Commands;
using MyDocker.Cli.Parsing;
using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Runtime;
using MyDocker.Shared.Api;
using MyDocker.Web.Api;

namespace MyDocker.UnitTests.Api;

/// <summary>Request fields checked at create, before anything is recorded: host and domain names, working directories,
/// stop timeouts, and the status of a body Kestrel refuses.</summary>
public sealed class RequestValidationTests
{
    private static void Validate(ContainerSpec spec) =>
        ContainerPlanner.Validate(new ContainerCreateSpec { Image = "busybox", Spec = spec }, _ => true);

    [Theory]
    [InlineData("web")]
    [InlineData("web-1.example.com")]
    [InlineData("A1")]
    [InlineData("a234567890123456789012345678901.b2345678901234567890123456789012")] // 64: the kernel's limit
    public void Valid_hostnames_pass(string name) => Validate(new ContainerSpec { Hostname = name, Domainname = name });

    [Theory]
    [InlineData("web\n10.0.0.9 bank.example")] // would add a line to the container's /etc/hosts
    [InlineData("web server")]
    [InlineData("-web")]
    [InlineData("web-")]
    [InlineData("web..example")]
    [InlineData("web_1")]
    [InlineData("a234567890123456789012345678901.b23456789012345678901234567890123")] // 65
    [InlineData("b234567890123456789012345678901234567890123456789012345678901234")] // label of 64
    public void Invalid_hostnames_and_domain_names_are_refused_naming_the_field(string name)
    {
        var e = Assert.Throws<EngineException>(() => Validate(new ContainerSpec { Hostname = name }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith("hostname '", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.StartsWith("domain name '", Assert.Throws<EngineException>(() => Validate(new ContainerSpec { Domainname = name })).Message);
    }

    [Fact]
    public void A_relative_working_directory_is_refused_at_create()
    {
        var e = Assert.Throws<EngineException>(() => Validate(new ContainerSpec { WorkingDir = "app" }));
        Assert.Equal("the working directory 'app' is invalid: it needs to be an absolute path (e.g. -w /app)", e.Message);
        Validate(new ContainerSpec { WorkingDir = "/app" });
    }

    [Fact]
    public void The_domain_name_reaches_the_container_through_the_uts_sysctl()
    {
        string rootfs = Directory.CreateTempSubdirectory("mydocker-unit-rootfs-").FullName;
        try
        {
            var spec = new RuntimeSpec("c1c1c1c1c1c1", ["sh"], [], null, null, "web", "/run/netns/x", "/b", [], Domainname: "example.com");
            using var doc = JsonDocument.Parse(OciSpecBuilder.Build(spec, rootfs));
            Assert.Equal("example.com", doc.RootElement.GetProperty("linux").GetProperty("sysctl").GetProperty("kernel.domainname").GetString());
            using var none = JsonDocument.Parse(OciSpecBuilder.Build(spec with { Domainname = null }, rootfs));
            Assert.False(none.RootElement.GetProperty("linux").GetProperty("sysctl").TryGetProperty("kernel.domainname", out _));
        }
        finally { Directory.Delete(rootfs, recursive: true); }
    }

    [Fact]
    public void The_domain_name_of_a_docker_create_request_is_kept_and_shown()
    {
        var spec = ContainerMapping.ToSpec(null, new ContainerCreateRequest { Image = "busybox", Hostname = "web", Domainname = "example.com" });
        Assert.Equal("example.com", spec.Spec.Domainname);
    }

    [Theory]
    [InlineData("10", 10.0)]
    [InlineData("0", 0.0)]
    [InlineData("-0", 0.0)]
    [InlineData("2147482", 2147482.0)]
    [InlineData("2147484", 2147483.647)] // clamped to what the engine can wait (int.MaxValue ms)
    [InlineData("99999999999999999999999", 2147483.647)]
    public void Stop_timeouts_read_like_dockers_and_huge_ones_clamp(string t, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Query.Seconds(t, "t"));

    [Theory]
    [InlineData("-1")]
    [InlineData("-5")]
    [InlineData("-99999999999999999999999")]
    public void A_negative_stop_timeout_waits_for_ever(string t) => Assert.Equal(Timeout.InfiniteTimeSpan, Query.Seconds(t, "t"));

    [Theory]
    [InlineData("ten")]
    [InlineData("1.5")]
    [InlineData("-")]
    [InlineData("+3")]
    public void A_stop_timeout_that_is_no_number_is_refused(string t) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => Query.Seconds(t, "t")).Kind);

    [Theory]
    [InlineData("-1", -1)]
    [InlineData("30", 30)]
    [InlineData("99999999999", int.MaxValue)]
    [InlineData("-99999999999", -1)]
    public void The_cli_takes_negative_and_huge_stop_timeouts(string value, int expected) =>
        Assert.Equal(expected, RunOptionParsers.ParseSeconds(value, "-t, --time"));

    [Fact]
    public void The_cli_refuses_a_stop_timeout_that_is_no_number() =>
        Assert.Throws<UsageException>(() => RunOptionParsers.ParseSeconds("soon", "-t, --time"));

    [Fact]
    public async Task A_body_over_the_limit_is_413_not_400()
    {
        string dir = Directory.CreateTempSubdirectory("mydocker-unit-api-").FullName;
        string socket = Path.Combine(dir, "api.sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 1024;
            k.ListenUnixSocket(socket);
        });
        await using var app = builder.Build();
        app.UseDockerErrors();
        app.MapPost("/containers/create", async (HttpRequest request) =>
        {
            await request.ReadFromJsonAsync(ApiJsonContext.Default.ContainerCreateRequest);
            return Results.Ok();
        });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            }) { BaseAddress = new Uri("http://localhost") };
            var big = await http.PostAsync("/containers/create", new StringContent($$"""{"Image":"{{new string('a', 4096)}}"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(413, (int)big.StatusCode);
            Assert.Contains("\"message\":\"the request body is too large:", await big.Content.ReadAsStringAsync());
            var bad = await http.PostAsync("/containers/create", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(400, (int)bad.StatusCode);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}
