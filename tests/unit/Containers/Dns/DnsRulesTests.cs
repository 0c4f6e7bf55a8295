using MyDocker.Engine;
using MyDocker.Engine.Containers;
using MyDocker.Shared.Run;

namespace MyDocker.UnitTests.Containers.Dns;

/// <summary>--dns, --dns-search, --dns-option and --add-host: the values Docker takes pass, bad ones are refused at
/// create with a message that names the value and the fix (the same words in the CLI and over the API).</summary>
public sealed class DnsRulesTests
{
    private static void Validate(ContainerSpec spec) =>
        ContainerPlanner.Validate(new ContainerCreateSpec { Image = "busybox", Spec = spec }, _ => true);

    [Fact]
    public void Values_docker_takes_pass() => Validate(new ContainerSpec
    {
        Dns = ["192.0.2.53", "2001:db8::53"],
        DnsSearch = ["example.test", "corp.example.test.", "a-1.b", "."],
        DnsOptions = ["ndots:2", "timeout:1", "attempts:3", "edns0", "rotate", "single-request-reopen", "no-aaaa"],
        ExtraHosts = ["h1:198.51.100.7", "host.docker.internal:host-gateway", "my_host:2001:db8::7", "v6:::1"],
    });

    [Theory]
    [InlineData("8.8.8", "DNS server \"8.8.8\" (--dns) is not an IP address; give one such as 192.0.2.53")]
    [InlineData("dns.google", "\"dns.google\" (--dns)")]
    [InlineData("192.0.2.53 # x", "\"192.0.2.53 # x\" (--dns)")]
    [InlineData("010.0.0.1", "\"010.0.0.1\" (--dns)")]
    [InlineData("fe80::1%eth0", "\"fe80::1%eth0\" (--dns)")]
    public void A_dns_server_that_is_not_an_ip_is_refused(string value, string expected) =>
        Assert.Contains(expected, Refused(new ContainerSpec { Dns = [value] }));

    [Theory]
    [InlineData("exa mple.test")]
    [InlineData("-example.test")]
    [InlineData("example..test")]
    [InlineData("example.test\nnameserver 203.0.113.1")] // would add a server of the client's choosing
    [InlineData("under_score.test")]
    [InlineData("")]
    public void A_bad_search_domain_is_refused(string value)
    {
        var message = Refused(new ContainerSpec { DnsSearch = [value] });
        Assert.StartsWith("search domain \"", message);
        Assert.Contains("(--dns-search) is not valid", message);
        Assert.DoesNotContain("\n", message);
    }

    [Theory]
    [InlineData("ndots:x")]
    [InlineData("ndots")]
    [InlineData("ndots:-1")]
    [InlineData("edns0 rotate")]
    [InlineData("")]
    [InlineData("Rotate")]
    [InlineData("timeout:")]
    public void A_bad_dns_option_is_refused(string value) =>
        Assert.Contains($"DNS option \"{value}\" (--dns-option) is not valid: give an option of resolv.conf(5) such as ndots:2",
            Refused(new ContainerSpec { DnsOptions = [value] }));

    [Theory]
    [InlineData("h1", "has no address; write NAME:ADDRESS")]
    [InlineData("h1:", "has no address")]
    [InlineData(":198.51.100.7", "name \"\" is not a host name")]
    [InlineData("h 1:198.51.100.7", "name \"h 1\" is not a host name")]
    [InlineData("h1:example.com", "\"example.com\" is not an IP address; give one such as 198.51.100.7, or host-gateway")]
    [InlineData("h1:198.51.100.7\n203.0.113.1 bank", "is not an IP address")]
    public void A_bad_extra_host_is_refused(string value, string expected)
    {
        var message = Refused(new ContainerSpec { ExtraHosts = [value] });
        Assert.Contains("(--add-host)", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("h1:198.51.100.7", "h1:198.51.100.7")]
    [InlineData("h1=198.51.100.7", "h1:198.51.100.7")]
    [InlineData("h1=::1", "h1:::1")]
    [InlineData("h1:[2001:db8::1]", "h1:2001:db8::1")]
    [InlineData("h1=[198.51.100.7]", "h1:198.51.100.7")]
    [InlineData("gw:host-gateway", "gw:host-gateway")]
    public void The_docker_clis_add_host_forms_become_the_apis(string value, string sent) =>
        Assert.Equal(sent, DnsValues.NormalizeExtraHost(value));

    [Theory]
    [InlineData("h1")]
    [InlineData("h:1=198.51.100.7")]
    [InlineData("=198.51.100.7")]
    public void Other_add_host_forms_are_refused(string value) =>
        Assert.Contains("(--add-host)", Assert.Throws<FormatException>(() => DnsValues.NormalizeExtraHost(value)).Message);

    private static string Refused(ContainerSpec spec)
    {
        var e = Assert.Throws<EngineException>(() => Validate(spec));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        return e.Message;
    }
}
