using System.Net;
using System.Net.Sockets;
using MyDocker.Engine.Kernel.Namespaces;

namespace MyDocker.E2ETests.Resolver;

/// <summary>
/// The published resolver binary over real sockets in namespaces (<see cref="ResolverLab"/>): the control protocol
/// drives what the container netns gets asked, answered, forwarded or refused, and what survives a SIGKILL.
/// </summary>
public sealed class ResolverProcessTests : IDisposable
{
    private const string PutC1 =
        """{"op":"put","container":"c1","endpoints":[{"network":"n1","ip":"10.213.0.2","names":["web","c1short"]}],"hosts":[{"name":"h1","ip":"198.51.100.7"}]}""";
    private const string PutDb =
        """{"op":"put","container":"c2","endpoints":[{"network":"n1","ip":"10.213.0.9","names":["db"]},{"network":"n2","ip":"10.214.0.9","names":["db"]}]}""";
    private const string Ok = """{"ok":true}""";

    private readonly ResolverLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void A_put_container_is_answered_over_UDP_and_TCP_until_it_is_removed_and_other_askers_are_refused()
    {
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));
        Assert.Equal(Ok, _lab.Control(PutDb));

        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.9"), _lab.Query("DB"));       // n2 is not c1's network
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.9"), _lab.Query("db", tcp: true));
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "198.51.100.7"), _lab.Query("h1"));
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, ""), _lab.Query("db", type: 28));        // AAAA of a known name: NODATA
        Assert.Equal(new DnsAnswer(DnsAnswer.Refused, ""), _lab.Query("db", from: _lab.Host)); // the host itself is no container

        Assert.Equal(Ok, _lab.Control("""{"op":"remove","container":"c1"}"""));

        Assert.Equal(new DnsAnswer(DnsAnswer.Refused, ""), _lab.Query("db"));
        Assert.Equal(0, _lab.Upstreams.Queries);
    }

    [Fact]
    public void Unknown_names_go_to_the_host_or_the_containers_servers_and_never_from_an_internal_only_container()
    {
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));

        // The host's resolv.conf: 127.0.0.53 skipped, 192.0.2.53 asked.
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "203.0.113.53"), _lab.Query("example.test"));
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "203.0.113.53"), _lab.Query("example.test", tcp: true));

        Assert.Equal(Ok, _lab.Control(PutC1.Replace("\"hosts\"", "\"dns\":[\"192.0.2.54\"],\"hosts\"", StringComparison.Ordinal)));
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "203.0.113.54"), _lab.Query("example.test"));
        var forwarded = _lab.Upstreams.Queries;

        Assert.Equal(Ok, _lab.Control(PutC1.Replace("\"names\"", "\"internal\":true,\"names\"", StringComparison.Ordinal)));
        Assert.Equal(new DnsAnswer(DnsAnswer.NxDomain, ""), _lab.Query("example.test"));
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.2"), _lab.Query("web"));
        Assert.Equal(forwarded, _lab.Upstreams.Queries);
    }

    [Fact]
    public void A_dead_upstream_or_none_at_all_gets_SERVFAIL_within_the_clients_timeout()
    {
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));

        _lab.Upstreams.Silent = true;
        Assert.Equal(new DnsAnswer(DnsAnswer.ServFail, ""), _lab.Query("example.test"));
        Assert.True(_lab.Upstreams.Queries > 0);

        // Only a loopback server left: once the file is read again (at most a second), nothing is asked at all.
        _lab.Upstreams.Silent = false;
        File.WriteAllText(_lab.ResolvConf, "nameserver 127.0.0.53\n");
        File.SetLastWriteTimeUtc(_lab.ResolvConf, DateTime.UtcNow.AddMinutes(1));
        Assert.True(ResolverLab.Eventually(() => _lab.Query("example.test").Rcode == DnsAnswer.ServFail));
        var asked = _lab.Upstreams.Queries;
        Assert.Equal(new DnsAnswer(DnsAnswer.ServFail, ""), _lab.Query("example.test"));
        Assert.Equal(asked, _lab.Upstreams.Queries);
        Assert.True(ResolverLab.Eventually(() => _lab.Log.Contains("none (unknown names get SERVFAIL)", StringComparison.Ordinal)), _lab.Log);
    }

    [Fact]
    public void A_resolver_killed_with_SIGKILL_answers_from_its_snapshot_when_started_again()
    {
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));
        Assert.Equal(Ok, _lab.Control(PutDb));
        Assert.True(ResolverLab.Eventually(() => File.Exists(_lab.SnapshotPath) && File.ReadAllText(_lab.SnapshotPath).Contains("\"c2\"", StringComparison.Ordinal)));

        _lab.Process.Kill(); // SIGKILL: the socket and pid files stay behind
        _lab.Process.WaitForExit();
        Assert.True(File.Exists(_lab.ControlPath));
        _lab.Start();

        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.9"), _lab.Query("db"));
        Assert.EndsWith("\"containers\":2}", _lab.Control("""{"op":"ping"}"""), StringComparison.Ordinal);
        Assert.Equal(_lab.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(_lab.PidPath).Trim());
    }

    [Fact]
    public void A_second_resolver_on_a_live_control_path_refuses_to_start_and_SIGTERM_cleans_up()
    {
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));

        var (code, stderr) = _lab.RunAnother();
        Assert.Equal(1, code);
        Assert.Contains("another resolver answers on control path", stderr, StringComparison.Ordinal);
        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.2"), _lab.Query("c1short"));

        _lab.Signal("TERM");
        Assert.True(_lab.Process.WaitForExit(10_000));
        Assert.Equal(0, _lab.Process.ExitCode);
        Assert.False(File.Exists(_lab.ControlPath));
        Assert.False(File.Exists(_lab.PidPath));
        Assert.Contains("\"c1\"", File.ReadAllText(_lab.SnapshotPath), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_DNS_server_on_every_address_leaves_the_resolver_answering_over_UDP()
    {
        // What dnsmasq or unbound without interface binding hold in the host's namespace: port 53 on 0.0.0.0, SO_REUSEADDR.
        using var wildcard = NetnsThread.Run(_lab.Host.Path, () =>
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            foreach (var socket in new[] { udp, tcp })
            {
                // SO_REUSEADDR alone (SOL_SOCKET 1, option 2): .NET's ReuseAddress sets SO_REUSEPORT too on Linux,
                // which would let the resolver bind beside it and test nothing.
                socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(IPAddress.Any, 53));
            }
            tcp.Listen();
            return new Sockets(udp, tcp);
        });
        _lab.Start();
        Assert.Equal(Ok, _lab.Control(PutC1));

        Assert.Equal(new DnsAnswer(DnsAnswer.NoError, "10.213.0.2"), _lab.Query("web"));
        Assert.True(ResolverLab.Eventually(() => _lab.Log.Contains("answering over UDP only", StringComparison.Ordinal)), _lab.Log);
    }

    private sealed record Sockets(Socket Udp, Socket Tcp) : IDisposable
    {
        public void Dispose()
        {
            Udp.Dispose();
            Tcp.Dispose();
        }
    }
}
