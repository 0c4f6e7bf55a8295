using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MyDocker.E2ETests.Infrastructure;

namespace MyDocker.E2ETests.Ports;

/// <summary>
/// Conflicts and bad port requests are refused before anything is created: non-zero exit, the holder named, and the
/// nftables elements and every container trace exactly as before. Every refusal has a granted twin on the same setup.
/// </summary>
public sealed class PortConflictTests : IClassFixture<PortConflictTests.Lab>
{
    /// <summary>A <see cref="PortLab"/> with one container "holder" publishing 18100/tcp on every address, 18101/tcp on
    /// 127.0.0.1 and 18102/udp on every address.</summary>
    public sealed class Lab : IDisposable
    {
        public PortLab Ports { get; } = new();

        public Lab()
        {
            try { Ports.RunServer("holder", "HO", PortLab.NetA, "18100:80", "127.0.0.1:18101:80", "18102:53/udp"); }
            catch
            {
                Ports.Dispose();
                throw;
            }
        }

        public void Dispose() => Ports.Dispose();
    }

    private readonly PortLab _lab;
    private readonly DaemonUnderTest _d;

    public PortConflictTests(Lab lab)
    {
        _lab = lab.Ports;
        _d = _lab.D;
        // What an earlier (maybe failed) test left must not hold ports; the holder stays.
        foreach (var c in ContainerTraces.Ps(_d).Where(c => c.Name != "holder")) _d.CliOk("rm", "-f", c.Id);
    }

    public static TheoryData<string[], string> Conflicts => new()
    {
        // The same port and address.
        { ["18100:80"], "18100/tcp on 0.0.0.0 is published by container holder" },
        // A specific address inside a wildcard one, and a wildcard over a specific one.
        { ["127.0.0.1:18100:80"], "18100/tcp on 0.0.0.0 is published by container holder" },
        { ["18101:80"], "18101/tcp on 127.0.0.1 is published by container holder" },
        { ["198.51.100.1:18102:53/udp"], "18102/udp on 0.0.0.0 is published by container holder" },
        // Two -p of one run asking for the same host port.
        { ["18110:80", "18110:81"], "18110/tcp" },
        { ["18111:80", "127.0.0.1:18111:81"], "18111/tcp" },
        // An address that is not the host's (TEST-NET-1).
        { ["192.0.2.77:18112:80"], "192.0.2.77 is not an address of this host" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void A_conflict_is_refused_naming_the_holder_and_changes_nothing(string[] publish, string expected)
    {
        var elements = _lab.PortElements();
        var traces = ContainerTraces.Of(_d);

        var r = _lab.TryRunServer("loser", "X", PortLab.NetA, publish);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        ContainerTraces.AssertBackTo(_d, traces);
        Assert.Equal(elements, _lab.PortElements());
        // The holder still gets its traffic.
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18100, "HO");
    }

    public static TheoryData<string[]> Granted => new()
    {
        // Twins of the refusals: another protocol on the same port, another address with no wildcard involved,
        // two -p with different host ports, one of the host's own addresses.
        { ["18100:80/udp"] },
        { ["127.0.0.1:18102:80"] },
        { ["18110:80", "18113:81"] },
        { ["198.51.100.1:18112:80"] },
    };

    [Theory]
    [MemberData(nameof(Granted))]
    public void The_same_setup_grants_a_port_nobody_holds(string[] publish)
    {
        _lab.RunServer("winner", "W", PortLab.NetA, publish);
        _d.CliOk("rm", "-f", "winner");
    }

    [Fact]
    public void A_port_a_host_process_listens_on_is_refused_naming_the_process()
    {
        var listener = _d.Netns.Run(() =>
        {
            var l = new TcpListener(IPAddress.Any, 18120);
            l.Start();
            return l;
        });
        try
        {
            var elements = _lab.PortElements();
            var traces = ContainerTraces.Of(_d);
            var r = _lab.TryRunServer("squatted", "Q", PortLab.NetA, "18120:80");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("18120/tcp on 0.0.0.0 is in use by a host process", r.Stderr);
            Assert.Contains($"pid {Environment.ProcessId}", r.Stderr);
            ContainerTraces.AssertBackTo(_d, traces);
            Assert.Equal(elements, _lab.PortElements());
        }
        finally { listener.Stop(); }

        // The same request once the process let go.
        _lab.RunServer("squatted", "Q", PortLab.NetA, "18120:80");
        PortLab.HttpOk(_lab.Lan, PortLab.HostLanIp, 18120, "Q");
        _d.CliOk("rm", "-f", "squatted");
    }

    public static TheoryData<string, string> BadBindings => new()
    {
        { """{"80/tcp":[{"HostPort":"70000"}]}""", "70000" },
        { """{"80/tcp":[{"HostPort":"0"}]}""", "'0'" },
        { """{"80/tcp":[{"HostPort":"a"}]}""", "'a'" },
        { """{"80/tcp":[{"HostPort":"90-80"}]}""", "90-80" },
        { """{"80/tcp":[{"HostPort":"65530-65540"}]}""", "65530-65540" },
        { """{"80/sctpx":[{"HostPort":"8080"}]}""", "sctpx" },
        { """{"80/sctp":[{"HostPort":"8080"}]}""", "sctp is not supported" },
        { """{"70000/tcp":[{"HostPort":"8080"}]}""", "70000/tcp" },
        { """{"80/tcp":[{"HostIp":"1.2.3.4.5","HostPort":"8080"}]}""", "1.2.3.4.5" },
        { """{"80/tcp":[{"HostIp":"10.1","HostPort":"8080"}]}""", "'10.1'" },
    };

    /// <summary>The docker CLI parses -p itself, so what reaches the engine unparsed comes through the API.</summary>
    [Theory]
    [MemberData(nameof(BadBindings))]
    public async Task A_bad_port_binding_through_the_API_is_a_400_with_a_clear_message(string bindings, string expected)
    {
        var elements = _lab.PortElements();
        var traces = ContainerTraces.Of(_d);
        string body = CreateBody(bindings);

        using var http = _d.Http();
        var response = await http.PostAsync("/containers/create?name=bad", new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(text);
        Assert.Contains(expected, doc.RootElement.GetProperty("message").GetString());
        ContainerTraces.AssertBackTo(_d, traces);
        Assert.Equal(elements, _lab.PortElements());
    }

    [Fact]
    public async Task A_good_port_binding_through_the_API_is_created()
    {
        string body = CreateBody("""{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18130"}]}""");
        using var http = _d.Http();
        var response = await http.PostAsync("/containers/create?name=good", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var bindings = _d.InspectContainer("good").GetProperty("HostConfig").GetProperty("PortBindings").GetProperty("80/tcp")[0];
        Assert.Equal("127.0.0.1", bindings.GetProperty("HostIp").GetString());
        Assert.Equal("18130", bindings.GetProperty("HostPort").GetString());
        Assert.Equal("AddressAlreadyInUse", _lab.TryTakePort("tcp", 18130)); // held from create on
        _d.CliOk("rm", "-f", "good");
    }

    private static string CreateBody(string portBindings) =>
        """{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":""" + "\"" + PortLab.NetA + "\",\"PortBindings\":" + portBindings + "}}";
}
