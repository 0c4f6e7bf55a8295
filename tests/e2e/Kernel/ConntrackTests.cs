using System.Net;
using System.Net.Sockets;
using MyDocker.E2ETests.Infrastructure;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Conntrack;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using Xunit.Abstractions;

namespace MyDocker.E2ETests.Kernel;

/// <summary>
/// CtNetlink against the real kernel (root), in throw-away namespaces only. Real DNATed connections go from a
/// client namespace through a router namespace (the "host", where the published-port DNAT and the conntrack
/// entries live) to a server namespace (the "containers"). The conntrack tool, run in the router, cross-checks
/// what CtNetlink lists and deletes.
/// </summary>
public sealed class ConntrackTests(ITestOutputHelper output) : IDisposable
{
    private readonly NatLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void DeleteNatTo_deletes_only_the_entries_of_that_mapping()
    {
        // Mappings that differ from the deleted one (udp 5000 → Container1:6000) in one respect each.
        _lab.Publish("""
            ip daddr 10.201.1.1 udp dport 5000 dnat to 10.201.2.2:6000
            ip daddr 10.201.1.5 udp dport 5000 dnat to 10.201.2.3:6000
            ip daddr 10.201.1.6 udp dport 5000 dnat to 10.201.2.2:6001
            udp dport 5003 dnat to 10.201.2.2:6000
            tcp dport 5000 dnat to 10.201.2.2:6000
            """);
        using var server = _lab.UdpServer(NatLab.Container1, 6000);
        using var otherPortServer = _lab.UdpServer(NatLab.Container1, 6001);
        using var otherContainer = _lab.UdpServer(NatLab.Container2, 6000);
        using var tcpServer = _lab.TcpServer(NatLab.Container1, 6000);

        using var a1 = _lab.UdpClient();
        using var a2 = _lab.UdpClient();
        using var toOtherContainer = _lab.UdpClient();
        using var toOtherContainerPort = _lab.UdpClient();
        using var throughOtherHostPort = _lab.UdpClient();
        _lab.Send(a1, NatLab.HostIp, 5000, server);
        _lab.Send(a2, NatLab.HostIp, 5000, server);
        _lab.Send(toOtherContainer, NatLab.HostIp2, 5000, otherContainer);
        _lab.Send(toOtherContainerPort, NatLab.HostIp3, 5000, otherPortServer);
        _lab.Send(throughOtherHostPort, NatLab.HostIp, 5003, server);
        using var tcp = _lab.TcpClient(NatLab.HostIp, 5000, tcpServer);

        var before = _lab.List();
        output.WriteLine(string.Join('\n', before));
        foreach (var client in new[] { a1, a2, toOtherContainer, toOtherContainerPort, throughOtherHostPort, tcp })
            Assert.Contains(before, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(client)));
        Assert.Contains($"sport={NatLab.LocalEndPoint(a1).Port} dport=5000", _lab.ConntrackTool("-p", "udp"));

        int deleted = _lab.Router.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("udp", 5000, IPAddress.Parse(NatLab.Container1), 6000)]));

        Assert.Equal(2, deleted);
        var after = _lab.List();
        output.WriteLine(string.Join('\n', after));
        Assert.DoesNotContain(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(a1)));
        Assert.DoesNotContain(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(a2)));
        foreach (var client in new[] { toOtherContainer, toOtherContainerPort, throughOtherHostPort, tcp })
            Assert.Contains(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(client)));
        // The conntrack tool, reading the table on its own, agrees.
        string tool = _lab.ConntrackTool("-p", "udp");
        Assert.DoesNotContain($"sport={NatLab.LocalEndPoint(a1).Port} dport=5000", tool);
        Assert.DoesNotContain($"sport={NatLab.LocalEndPoint(a2).Port} dport=5000", tool);
        Assert.Contains($"sport={NatLab.LocalEndPoint(toOtherContainer).Port} dport=5000", tool);
        Assert.Contains($"sport={NatLab.LocalEndPoint(toOtherContainerPort).Port} dport=5000", tool);
        Assert.Contains($"sport={NatLab.LocalEndPoint(throughOtherHostPort).Port} dport=5003", tool);

        Assert.Equal(0, _lab.Router.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("udp", 5000, IPAddress.Parse(NatLab.Container1), 6000)])));
    }

    [Fact]
    public void DeleteNatTo_deletes_tcp_entries_of_the_mapping()
    {
        _lab.Publish("""
            tcp dport 5000 dnat to 10.201.2.2:6000
            udp dport 5000 dnat to 10.201.2.2:6000
            """);
        using var tcpServer = _lab.TcpServer(NatLab.Container1, 6000);
        using var udpServer = _lab.UdpServer(NatLab.Container1, 6000);
        using var tcp = _lab.TcpClient(NatLab.HostIp, 5000, tcpServer);
        using var udp = _lab.UdpClient();
        _lab.Send(udp, NatLab.HostIp, 5000, udpServer);

        int deleted = _lab.Router.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("tcp", 5000, IPAddress.Parse(NatLab.Container1), 6000)]));

        Assert.Equal(1, deleted);
        var after = _lab.List();
        Assert.DoesNotContain(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(tcp)));
        Assert.Contains(after, e => e.Protocol == "udp" && e.OriginalSource.Equals(NatLab.LocalEndPoint(udp)));
    }

    [Fact]
    public void A_connection_straight_to_the_container_is_not_the_mappings()
    {
        // Host port == container port: the direct connection has the same ORIGINAL destination port and REPLY
        // source as a translated one, and is told apart only by not being translated.
        _lab.Publish("udp dport 6000 dnat to 10.201.2.2:6000");
        using var server = _lab.UdpServer(NatLab.Container1, 6000);
        using var natted = _lab.UdpClient();
        using var direct = _lab.UdpClient();
        _lab.Send(natted, NatLab.HostIp, 6000, server);
        _lab.Send(direct, NatLab.Container1, 6000, server);
        Assert.Contains(_lab.List(), e => e.OriginalSource.Equals(NatLab.LocalEndPoint(direct))
            && e.OriginalDestination.Equals(e.ReplySource));

        int deleted = _lab.Router.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("udp", 6000, IPAddress.Parse(NatLab.Container1), 6000)]));

        Assert.Equal(1, deleted);
        var after = _lab.List();
        Assert.DoesNotContain(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(natted)));
        Assert.Contains(after, e => e.OriginalSource.Equals(NatLab.LocalEndPoint(direct)));
    }

    [Fact]
    public void A_udp_client_that_keeps_sending_reaches_the_replacement_only_after_the_delete()
    {
        _lab.Publish("udp dport 5000 dnat to 10.201.2.2:6000");
        using var oldContainer = _lab.UdpServer(NatLab.Container1, 6000);
        using var newContainer = _lab.UdpServer(NatLab.Container2, 6000);
        using var client = _lab.UdpClient();
        _lab.Send(client, NatLab.HostIp, 5000, oldContainer);

        // The mapping moves to the replacement container; the live flow keeps its entry and its old translation.
        _lab.Publish("udp dport 5000 dnat to 10.201.2.3:6000");
        _lab.Send(client, NatLab.HostIp, 5000, oldContainer);

        int deleted = _lab.Router.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("udp", 5000, IPAddress.Parse(NatLab.Container1), 6000)]));

        Assert.Equal(1, deleted);
        _lab.Send(client, NatLab.HostIp, 5000, newContainer);
        Assert.Contains(_lab.List(), e => e.OriginalSource.Equals(NatLab.LocalEndPoint(client))
            && e.ReplySource.Equals(new IPEndPoint(IPAddress.Parse(NatLab.Container2), 6000)));
    }

    [Fact]
    public void A_delete_with_a_stale_id_leaves_the_entry()
    {
        // CtNetlink names each entry by its tuple and CTA_ID, so a new connection that took over a listed tuple is
        // never deleted in its place; this is the kernel behaviour that relies on.
        _lab.Publish("udp dport 5000 dnat to 10.201.2.2:6000");
        using var server = _lab.UdpServer(NatLab.Container1, 6000);
        using var client = _lab.UdpClient();
        _lab.Send(client, NatLab.HostIp, 5000, server);

        var error = _lab.Router.Run(() =>
        {
            using var socket = NetlinkSocket.Open(Libc.NETLINK_NETFILTER);
            var entries = new List<CtEntry>();
            Span<byte> buffer = stackalloc byte[256];
            var w = new NetlinkMessageWriter(buffer);
            CtNetlinkMessages.DumpIPv4(ref w, socket.NextSequence());
            socket.Dump("dump", w.Written, m => { if (CtNetlinkMessages.TryParseEntry(m, out var e)) entries.Add(e); });
            var entry = Assert.Single(entries);
            Assert.NotNull(entry.Id);
            w = new NetlinkMessageWriter(buffer);
            CtNetlinkMessages.Delete(ref w, socket.NextSequence(), entry with { Id = entry.Id + 1 });
            byte[] request = w.Written.ToArray();
            return Assert.Throws<KernelNotFoundException>(() => socket.Request("delete", null, request));
        });

        Assert.Equal(KernelException.ENOENT, error.Errno);
        Assert.Contains(_lab.List(), e => e.OriginalSource.Equals(NatLab.LocalEndPoint(client)));
    }

    [Fact]
    public void Nothing_to_delete_is_zero_and_an_empty_table_lists_nothing()
    {
        using var ns = new TestNetns("ct");
        Assert.Empty(ns.Run(() => new CtNetlink().List()));
        Assert.Equal(0, ns.Run(() => new CtNetlink().DeleteNatTo([new NatTarget("tcp", 80, IPAddress.Parse("10.1.2.3"), 8080)])));
    }
}

/// <summary>
/// <code>
///   client (10.201.1.2) ──veth── [10.201.1.1, .5, .6  router  10.201.2.1] ──veth── server (10.201.2.2, 10.201.2.3)
/// </code>
/// The router forwards and holds the DNAT rules (the published ports) in table ip mdt-pub; replies from the
/// server go back through it (route via 10.201.2.1), so the router sees both directions like a real host.
/// </summary>
internal sealed class NatLab : IDisposable
{
    public const string HostIp = "10.201.1.1", HostIp2 = "10.201.1.5", HostIp3 = "10.201.1.6", ClientIp = "10.201.1.2", Container1 = "10.201.2.2", Container2 = "10.201.2.3";
    // A receive that does not come in this time fails the test; no test measures time.
    private const int ReceiveTimeoutMs = 5000;

    private readonly List<IDisposable> _owned = [];
    public TestNetns Router { get; }
    public TestNetns Client { get; }
    public TestNetns Server { get; }

    public NatLab()
    {
        try
        {
            Router = Own(new TestNetns("ctr"));
            Client = Own(new TestNetns("ctc"));
            Server = Own(new TestNetns("cts"));
            Router.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Router.Exec("ip", "link", "add", "to-client", "type", "veth", "peer", "name", "eth0", "netns", Client.Name);
            Router.Exec("ip", "link", "add", "to-server", "type", "veth", "peer", "name", "eth0", "netns", Server.Name);
            foreach (var address in new[] { HostIp, HostIp2, HostIp3 })
                Router.Exec("ip", "addr", "add", address + "/24", "dev", "to-client");
            Router.Exec("ip", "addr", "add", "10.201.2.1/24", "dev", "to-server");
            Router.Exec("ip", "link", "set", "to-client", "up");
            Router.Exec("ip", "link", "set", "to-server", "up");
            Client.Exec("ip", "addr", "add", ClientIp + "/24", "dev", "eth0");
            Client.Exec("ip", "link", "set", "eth0", "up");
            Client.Exec("ip", "route", "add", "default", "via", HostIp);
            Server.Exec("ip", "addr", "add", Container1 + "/24", "dev", "eth0");
            Server.Exec("ip", "addr", "add", Container2 + "/24", "dev", "eth0");
            Server.Exec("ip", "link", "set", "eth0", "up");
            Server.Exec("ip", "route", "add", "default", "via", "10.201.2.1");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Replaces the router's published ports with <paramref name="rules"/> (one nft rule a line) in one
    /// transaction. The chain is flushed, not deleted, so its NAT hook stays registered as the engine's would.</summary>
    public void Publish(string rules)
    {
        var lines = rules.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(rule => $"add rule ip mdt-pub pre {rule}");
        string ruleset = string.Join('\n', [
            "table ip mdt-pub { chain pre { type nat hook prerouting priority dstnat; }; }",
            "flush chain ip mdt-pub pre",
            .. lines]) + "\n";
        var (code, stdout, stderr) = Command.TryRun("ip", ["netns", "exec", Router.Name, "nft", "-f", "-"], stdin: ruleset);
        if (code != 0) throw new InvalidOperationException($"nft -f - failed ({code}): {stderr}{stdout}\n{ruleset}");
    }

    public Socket UdpServer(string address, int port) => Server.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = ReceiveTimeoutMs };
        s.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return s;
    });

    public Socket TcpServer(string address, int port) => Server.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        s.Listen();
        return s;
    });

    public Socket UdpClient(int port = 0) => Client.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = ReceiveTimeoutMs };
        s.Bind(new IPEndPoint(IPAddress.Parse(ClientIp), port));
        return s;
    });

    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/> and waits until the server accepted (the entry is ESTABLISHED).</summary>
    public Socket TcpClient(string address, int port, Socket server)
    {
        var s = Client.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        s.Connect(new IPEndPoint(IPAddress.Parse(address), port));
        var accepted = server.AcceptAsync();
        if (!accepted.Wait(ReceiveTimeoutMs)) throw new TimeoutException($"The server did not accept the connection to {address}:{port}.");
        _owned.Add(accepted.Result);
        return s;
    }

    /// <summary>Sends one datagram to <paramref name="address"/>:<paramref name="port"/>, checks that
    /// <paramref name="expectedReceiver"/> got it, and answers it (the entry sees both directions).</summary>
    public void Send(Socket client, string address, int port, Socket expectedReceiver)
    {
        byte[] payload = Guid.NewGuid().ToByteArray();
        client.SendTo(payload, new IPEndPoint(IPAddress.Parse(address), port));
        var buffer = new byte[64];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        int length = expectedReceiver.ReceiveFrom(buffer, ref from);
        Assert.Equal(payload, buffer[..length]);
        expectedReceiver.SendTo(buffer.AsSpan(0, length), from);
        Assert.Equal(length, client.Receive(buffer));
    }

    public static IPEndPoint LocalEndPoint(Socket socket) => (IPEndPoint)socket.LocalEndPoint!;

    public IReadOnlyList<ConntrackEntry> List() => Router.Run(() => new CtNetlink().List());

    /// <summary>`conntrack -L` in the router: the independent view of the same table.</summary>
    public string ConntrackTool(params string[] filter)
    {
        var (code, stdout, stderr) = Router.TryExec("conntrack", ["-L", .. filter]);
        if (code != 0) throw new InvalidOperationException($"conntrack -L exited {code}: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}
