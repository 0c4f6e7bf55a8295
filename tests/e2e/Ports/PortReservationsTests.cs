using System.Net;
using System.Net.Sockets;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine;
using MyDocker.Engine.Ports;
using MyDocker.Shared.Ports;

namespace MyDocker.E2ETests.Ports;

/// <summary>Host-port reservations against the real socket layer, inside a throw-away netns (a socket belongs to the
/// namespace of the thread that made it).</summary>
public sealed class PortReservationsTests : IDisposable
{
    private readonly TestNetns _ns = new("prs");
    private readonly PortReservations _ports = new();

    public PortReservationsTests()
    {
        _ns.Exec("ip", "link", "set", "lo", "up");
    }

    public void Dispose()
    {
        _ns.Run(() => { _ports.Dispose(); return 0; });
        _ns.Dispose();
    }

    private static PortRequest Tcp(string ip, int port, int ctr = 80) => new("tcp", ip, port, port, ctr);

    private IReadOnlyList<PublishedPort> Reserve(string id, params PortRequest[] requests) => _ns.Run(() => _ports.Reserve(id, id, requests));

    private EngineException Refused(string id, params PortRequest[] requests) =>
        _ns.Run(() => Assert.Throws<EngineException>(() => _ports.Reserve(id, id, requests)));

    [Fact]
    public void A_reserved_port_is_named_to_the_next_container_whichever_address_covers_the_other()
    {
        Reserve("web", Tcp("0.0.0.0", 18080));
        var e = Refused("api", Tcp("127.0.0.1", 18080));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("18080/tcp on 0.0.0.0 is published by container web", e.Message);
        Assert.Contains("18081 is free", e.Message);

        Reserve("local", Tcp("127.0.0.1", 18090));
        Assert.Contains("18090/tcp on 127.0.0.1 is published by container local", Refused("any", Tcp("0.0.0.0", 18090)).Message);
        // The other protocol and another port are free.
        Assert.Single(Reserve("dns", new PortRequest("udp", "0.0.0.0", 18080, 18080, 53)));
    }

    [Fact]
    public void A_host_process_cannot_take_a_reserved_port_even_with_SO_REUSEADDR()
    {
        Reserve("web", Tcp("0.0.0.0", 18100));
        _ns.Run(() =>
        {
            using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Assert.Throws<SocketException>(() => { plain.Bind(new IPEndPoint(IPAddress.Loopback, 18100)); plain.Listen(); });
            using var reuse = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            reuse.SetRawSocketOption(1, 2, BitConverter.GetBytes(1)); // SO_REUSEADDR, as most servers set it
            Assert.Throws<SocketException>(() => { reuse.Bind(new IPEndPoint(IPAddress.Any, 18100)); reuse.Listen(); });
            return 0;
        });
        _ns.Run(() => { _ports.Release("web"); return 0; });
        _ns.Run(() =>
        {
            using var after = new TcpListener(IPAddress.Any, 18100);
            after.Start(); // released: the port is the host's again
            return 0;
        });
    }

    [Fact]
    public void A_port_a_host_process_listens_on_is_refused_naming_the_process()
    {
        var e = _ns.Run(() =>
        {
            using var listener = new TcpListener(IPAddress.Any, 18200);
            listener.Start();
            return Assert.Throws<EngineException>(() => _ports.Reserve("web", "web", [Tcp("0.0.0.0", 18200)]));
        });
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.Contains("18200/tcp on 0.0.0.0 is in use by a host process", e.Message);
        Assert.Contains($"pid {Environment.ProcessId}", e.Message);
    }

    [Fact]
    public void An_address_the_host_does_not_have_is_refused_before_any_port_is_held()
    {
        var e = Refused("web", Tcp("0.0.0.0", 18300), Tcp("192.0.2.77", 18301));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("192.0.2.77 is not an address of this host, so 18301/tcp cannot be published on it", e.Message);
        Assert.Single(Reserve("other", Tcp("0.0.0.0", 18300))); // nothing of the failed request was kept
    }

    [Fact]
    public void A_failed_request_keeps_none_of_its_ports()
    {
        Reserve("web", Tcp("0.0.0.0", 18401));
        Refused("api", Tcp("0.0.0.0", 18400), Tcp("0.0.0.0", 18401));
        Assert.Single(Reserve("again", Tcp("0.0.0.0", 18400)));
    }

    [Fact]
    public void Engine_picked_ports_come_from_the_ephemeral_range_and_differ()
    {
        _ns.Exec("sysctl", "-qw", "net.ipv4.ip_local_port_range=40000 40009");
        var picked = Reserve("web", new PortRequest("tcp", "0.0.0.0", 0, 0, 80), new PortRequest("tcp", "127.0.0.1", 0, 0, 81));
        Assert.All(picked, p => Assert.InRange(p.HostPort, 40000, 40009));
        Assert.NotEqual(picked[0].HostPort, picked[1].HostPort);

        var e = Refused("many", Enumerable.Range(0, 11).Select(i => new PortRequest("udp", "0.0.0.0", 0, 0, 1000 + i)).ToArray());
        Assert.Contains("more than the 10 of the ephemeral range 40000-40009", e.Message);
    }

    [Fact]
    public void A_host_range_gives_its_first_free_port()
    {
        Reserve("web", Tcp("0.0.0.0", 18500));
        var got = Reserve("api", new PortRequest("tcp", "0.0.0.0", 18500, 18502, 80));
        Assert.Equal(18501, Assert.Single(got).HostPort);
    }

    [Fact]
    public void Restore_holds_the_ports_again_and_reports_one_a_host_process_took()
    {
        _ns.Run(() =>
        {
            using var squatter = new TcpListener(IPAddress.Any, 18601);
            squatter.Start();
            var problems = _ports.Restore("web", "web", [new PublishedPort("tcp", "0.0.0.0", 18600, 80), new PublishedPort("tcp", "0.0.0.0", 18601, 81)]);
            Assert.Contains("18601/tcp on 0.0.0.0 of container web could not be held again", Assert.Single(problems));
            return 0;
        });
        // Both stay registered: no other container may publish them.
        Assert.Contains("published by container web", Refused("api", Tcp("0.0.0.0", 18600)).Message);
        Assert.Contains("published by container web", Refused("api", Tcp("0.0.0.0", 18601)).Message);
    }
}
