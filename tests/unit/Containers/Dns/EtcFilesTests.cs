using System.Net;
using System.Text.Json;
using MyDocker.Engine.Containers;
using MyDocker.Engine.Containers.Dns;

namespace MyDocker.UnitTests.Containers.Dns;

/// <summary>A container's /etc/hosts and /etc/resolv.conf, compared with the text Docker writes for the same options.</summary>
public sealed class EtcFilesTests
{
    private const string HostsHead =
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n" +
        "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    private const string Host = "# host file\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch lan corp.test\noptions edns0 trust-ad\n";

    private static readonly ContainerSpec Options = new()
    {
        Hostname = "web", Domainname = "example.test", Dns = ["192.0.2.53"], DnsSearch = ["example.test"], DnsOptions = ["ndots:2"],
        ExtraHosts = ["h1:198.51.100.7", "gw:host-gateway"],
    };

    private static EtcEndpoint On(string address, string gateway, bool isDefault) => new(IPAddress.Parse(address), IPAddress.Parse(gateway), isDefault);

    [Fact]
    public void On_a_user_defined_network_the_resolver_is_the_only_server_and_the_dns_servers_stay_out()
    {
        var files = EtcFiles.For(Options, "web", [On("10.1.0.2", "10.1.0.1", isDefault: false)], Host);
        Assert.Equal("nameserver 169.254.53.53\nsearch example.test\noptions ndots:2\n", files.ResolvConf);
        Assert.Equal(HostsHead + "198.51.100.7\th1\n10.1.0.1\tgw\n10.1.0.2\tweb.example.test web\n", files.Hosts);
        Assert.Equal("web\n", files.Hostname);
    }

    [Fact]
    public void On_a_user_defined_network_without_options_the_hosts_search_and_options_are_kept_and_ndots_0_added()
    {
        Assert.Equal("nameserver 169.254.53.53\nsearch lan corp.test\noptions edns0 trust-ad ndots:0\n",
            EtcFiles.ResolvConf(Host, [], [], [], embedded: true));
        Assert.Equal("nameserver 169.254.53.53\noptions ndots:3\n", EtcFiles.ResolvConf("options ndots:3\n", [], [], [], embedded: true));
        Assert.Equal("nameserver 169.254.53.53\noptions ndots:0\n", EtcFiles.ResolvConf("", ["192.0.2.53"], [], [], embedded: true));
        // "." asks for no search domain at all, not even the host's.
        Assert.Equal("nameserver 169.254.53.53\noptions edns0 trust-ad ndots:0\n", EtcFiles.ResolvConf(Host, [], ["."], [], embedded: true));
    }

    [Fact]
    public void On_the_default_network_the_options_given_replace_the_hosts_one_by_one()
    {
        var files = EtcFiles.For(Options, "web", [On("172.17.0.2", "172.17.0.1", isDefault: true)], Host);
        Assert.Equal("nameserver 192.0.2.53\nsearch example.test\noptions ndots:2\n", files.ResolvConf);
        Assert.Equal(HostsHead + "198.51.100.7\th1\n172.17.0.1\tgw\n172.17.0.2\tweb.example.test web\n", files.Hosts);
        // Only a search domain given: the host's reachable servers and options stay.
        Assert.Equal("nameserver 192.0.2.1\nsearch example.test\noptions edns0 trust-ad\n",
            EtcFiles.ResolvConf(Host, [], ["example.test"], [], embedded: false));
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\noptions rotate\n",
            EtcFiles.ResolvConf("nameserver 127.0.0.53\n", [], [], ["rotate"], embedded: false));
    }

    [Fact]
    public void On_the_default_network_without_options_the_host_file_loses_its_loopback_servers_or_falls_back_to_public_ones()
    {
        Assert.Equal("# host file\nnameserver 192.0.2.1\nsearch lan corp.test\noptions edns0 trust-ad\n",
            EtcFiles.ResolvConf(Host, [], [], [], embedded: false));
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", EtcFiles.ResolvConf("nameserver 127.0.0.53\nnameserver ::1\n", [], [], [], embedded: false));
        Assert.Equal("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", EtcFiles.ResolvConf("", [], [], [], embedded: false));
    }

    [Fact]
    public void One_user_defined_network_among_several_makes_the_resolver_the_server_and_each_address_gets_a_line()
    {
        var spec = new ContainerSpec { ExtraHosts = ["gw:host-gateway"] };
        var files = EtcFiles.For(spec, "0123456789ab", [On("172.17.0.2", "172.17.0.1", true), On("10.1.0.2", "10.1.0.1", false)], Host);
        Assert.StartsWith("nameserver 169.254.53.53\n", files.ResolvConf);
        // host-gateway: the first network's gateway.
        Assert.Equal(HostsHead + "172.17.0.1\tgw\n172.17.0.2\t0123456789ab\n10.1.0.2\t0123456789ab\n", files.Hosts);
    }

    [Theory]
    [InlineData("web", null, "web")]
    [InlineData("web", "", "web")]
    [InlineData("web.corp", null, "web.corp web")] // Docker: an FQDN given as the hostname still gets its short name
    [InlineData("web", "a.b", "web.a.b web")]
    public void The_containers_own_line_has_the_fqdn_first(string hostname, string? domain, string names) =>
        Assert.Equal(HostsHead + "10.1.0.2\t" + names + "\n", EtcFiles.Hosts(hostname, domain, [IPAddress.Parse("10.1.0.2")], []));

    [Fact]
    public void Host_gateway_without_a_network_is_left_out() =>
        Assert.Equal([("h1", "198.51.100.7"), ("v6", "2001:db8::1")], EtcFiles.ExtraHosts(["h1:198.51.100.7", "gw:host-gateway", "v6:2001:db8::1"], null));

    [Fact]
    public void A_spec_stored_before_the_dns_fields_existed_reads_with_none()
    {
        var spec = JsonSerializer.Deserialize<ContainerSpec>("""{"Hostname":"web","Env":[]}""")!;
        Assert.Equal(("web", 0, 0, 0, 0), (spec.Hostname, spec.Dns.Count, spec.DnsSearch.Count, spec.DnsOptions.Count, spec.ExtraHosts.Count));
    }

    [Fact]
    public void The_files_are_rewritten_in_place_so_a_bind_mount_of_them_sees_the_change()
    {
        string dir = Directory.CreateTempSubdirectory("etcfiles").FullName;
        try
        {
            var paths = new ContainerPaths(dir, "n", "/n");
            paths.WriteEtcFiles(new EtcContent("old hosts\n", "old\n", "old resolv\n"));
            // An open handle stands for runc's bind mount: it follows the inode, which a rename would leave behind.
            using var hosts = new FileStream(paths.Hosts, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var resolv = new FileStream(paths.ResolvConf, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            paths.WriteEtcFiles(new EtcContent("new\n", "new\n", "new\n"));
            Assert.Equal("new\n", new StreamReader(hosts).ReadToEnd());
            Assert.Equal("new\n", new StreamReader(resolv).ReadToEnd());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
