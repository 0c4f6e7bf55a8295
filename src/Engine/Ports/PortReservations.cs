using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MyDocker.Shared.Ports;

namespace MyDocker.Engine.Ports;

/// <summary>
/// Which container holds which host port, and the sockets that keep host processes off them. A published port is
/// reserved from `create` to `rm` (a stopped container keeps its ports as it keeps its address, so `start` never
/// fails on a port taken meanwhile and an engine-picked port stays the same).
/// <para>Each reservation is a socket bound to the host address and port in the daemon's network namespace. Packets
/// never reach it (DNAT in prerouting/output comes first), but a host process that tries to take the port later gets
/// EADDRINUSE instead of silently losing its traffic to the container. The socket never listens: a stopped container's
/// port then refuses connections instead of queueing them. It is bound without SO_REUSEADDR, because two sockets that
/// both set it may share a port even when one of them listens (measured: bind and listen succeed) and most servers set
/// it. Only when the port's one user is a closed connection in TIME_WAIT (which blocks a plain bind for a minute) is
/// the reservation bound with SO_REUSEADDR. Sockets are created with CLOEXEC by .NET, so no container monitor
/// inherits one.</para>
/// <para>Conflicts between containers are found here before the kernel is asked, so the error can name the container
/// (and a reservation restored without its socket still counts), with the kernel's rule: same protocol and port, and one
/// address covers the other.</para>
/// Thread-safe: one lock.
/// </summary>
public sealed class PortReservations : IDisposable
{
    private sealed record Hold(string ContainerId, string ContainerName, PublishedPort Port, Socket? Socket);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Protocol, int Port), List<Hold>> _byPort = new();
    private readonly Dictionary<string, List<Hold>> _byContainer = new(StringComparer.Ordinal);
    private int _cursor = -1;

    /// <summary>Chooses and holds host ports for every request, all or nothing. Throws
    /// <see cref="EngineException"/> (Conflict) naming the holder when a port is taken, (Invalid) when an address is not
    /// the host's.</summary>
    public IReadOnlyList<PublishedPort> Reserve(string containerId, string containerName, IReadOnlyList<PortRequest> requests)
    {
        if (requests.Count == 0) return [];
        int picks = requests.Count(r => r.EnginePicks);
        if (picks > 0)
        {
            var (low, high) = EphemeralRange();
            if (picks > high - low + 1)
                throw EngineException.Invalid(
                    $"{picks} ports ask the engine for a host port, more than the {high - low + 1} of the ephemeral range {low}-{high}; give host ports or publish fewer");
        }
        foreach (var address in requests.Select(r => r.HostIp).Distinct().Where(a => a != PublishedPort.AnyAddress))
            CheckHostAddress(address, requests.First(r => r.HostIp == address));
        lock (_gate)
        {
            var taken = new List<Hold>();
            try
            {
                foreach (var r in requests) taken.Add(Take(containerId, containerName, r, taken));
            }
            catch
            {
                foreach (var h in taken) h.Socket?.Dispose();
                throw;
            }
            foreach (var h in taken) Register(h);
            return taken.Select(h => h.Port).ToList();
        }
    }

    /// <summary>Takes back the ports of a container the database already holds (daemon start). A port a host process took
    /// while the daemon was down stays registered (no other container may have it; the container's DNAT still takes its
    /// traffic first) and is reported.</summary>
    public IReadOnlyList<string> Restore(string containerId, string containerName, IReadOnlyList<PublishedPort> ports)
    {
        var problems = new List<string>();
        lock (_gate)
        {
            if (_byContainer.ContainsKey(containerId)) return problems;
            foreach (var p in ports)
            {
                Socket? socket = null;
                try { socket = Bind(p.Protocol, p.HostIp, p.HostPort); }
                catch (SocketException e)
                {
                    string holder = e.SocketErrorCode == SocketError.AddressAlreadyInUse && HostPortOwners.Describe(p.Protocol, p.HostPort) is { } who
                        ? $"a host process ({who})" : $"nothing MyDocker can name ({e.SocketErrorCode})";
                    problems.Add($"{p.Describe()} of container {containerName} could not be held again: it is taken by {holder}; the container's mapping still takes the traffic, but stop that process or publish another port");
                }
                Register(new Hold(containerId, containerName, p, socket));
            }
        }
        return problems;
    }

    /// <summary>Frees a container's ports. Idempotent.</summary>
    public void Release(string containerId)
    {
        lock (_gate)
        {
            if (!_byContainer.Remove(containerId, out var holds)) return;
            foreach (var h in holds)
            {
                h.Socket?.Dispose();
                var key = (h.Port.Protocol, h.Port.HostPort);
                if (_byPort.TryGetValue(key, out var list) && list.Remove(h) && list.Count == 0) _byPort.Remove(key);
            }
        }
    }

    /// <summary>Why <paramref name="protocol"/> <paramref name="hostPort"/> on <paramref name="hostIp"/> cannot be published
    /// now, or null when it can (the dashboard checks as the user types).</summary>
    public string? WhyTaken(string protocol, string hostIp, int hostPort)
    {
        lock (_gate)
        {
            if (Holder(protocol, hostIp, hostPort, []) is { } h) return $"{h.Port.Describe()} is published by container {h.ContainerName}";
            try { Bind(protocol, hostIp, hostPort).Dispose(); return null; }
            catch (SocketException e) { return BindProblem(e, protocol, hostIp, hostPort); }
        }
    }

    /// <summary>The first port from <paramref name="from"/> up that could be published now, or null.</summary>
    public int? NextFree(string protocol, string hostIp, int from)
    {
        lock (_gate) return NextFreeLocked(protocol, hostIp, from, []);
    }

    private Hold Take(string containerId, string containerName, PortRequest r, List<Hold> taken)
    {
        if (r.EnginePicks) return Pick(containerId, containerName, r, taken);
        if (r.HostPortFirst == r.HostPortLast)
        {
            int port = r.HostPortFirst;
            if (Holder(r.Protocol, r.HostIp, port, taken) is { } h)
            {
                string who = h.ContainerId == containerId ? "this container (another -p)" : $"container {h.ContainerName}";
                throw EngineException.Conflict($"{h.Port.Describe()} is published by {who}; choose another host port{Suggest(r.Protocol, r.HostIp, port, taken)}");
            }
            try { return new Hold(containerId, containerName, new PublishedPort(r.Protocol, r.HostIp, port, r.ContainerPort), Bind(r.Protocol, r.HostIp, port)); }
            catch (SocketException e) { throw BindFailure(e, r.Protocol, r.HostIp, port, taken); }
        }
        // A host range: the first free port of it (Docker's "8000-8010:80").
        for (int port = r.HostPortFirst; port <= r.HostPortLast; port++)
            if (TryTake(containerId, containerName, r, port, taken) is { } hold) return hold;
        throw EngineException.Conflict($"no port of {r.HostPortFirst}-{r.HostPortLast}/{r.Protocol} on {r.HostIp} is free; give another range");
    }

    /// <summary>An empty host port: a free one from the host's ephemeral range (net.ipv4.ip_local_port_range), walking on
    /// from where the last pick stopped so a port just released is not handed out again at once.</summary>
    private Hold Pick(string containerId, string containerName, PortRequest r, List<Hold> taken)
    {
        var (low, high) = EphemeralRange();
        int size = high - low + 1;
        if (_cursor < low || _cursor > high) _cursor = low + RandomNumberGenerator.GetInt32(size);
        for (int i = 0; i < size; i++)
        {
            int port = low + (_cursor - low + i) % size;
            if (TryTake(containerId, containerName, r, port, taken) is { } hold)
            {
                _cursor = port + 1;
                return hold;
            }
        }
        throw EngineException.Conflict(
            $"no {r.Protocol} port on {r.HostIp} is free in the ephemeral range {low}-{high}; publish fewer ports, give host ports, or remove containers that publish some");
    }

    private Hold? TryTake(string containerId, string containerName, PortRequest r, int port, List<Hold> taken)
    {
        if (Holder(r.Protocol, r.HostIp, port, taken) is not null) return null;
        try { return new Hold(containerId, containerName, new PublishedPort(r.Protocol, r.HostIp, port, r.ContainerPort), Bind(r.Protocol, r.HostIp, port)); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse) { return null; }
        catch (SocketException e) { throw BindFailure(e, r.Protocol, r.HostIp, port, taken); }
    }

    private Hold? Holder(string protocol, string hostIp, int port, List<Hold> taken) =>
        (_byPort.TryGetValue((protocol, port), out var list) ? list : []).Concat(taken)
        .FirstOrDefault(h => h.Port.CollidesWith(protocol, hostIp, port));

    private int? NextFreeLocked(string protocol, string hostIp, int from, List<Hold> taken)
    {
        for (int port = Math.Max(from, 1); port <= 65535 && port < from + 1000; port++)
        {
            if (Holder(protocol, hostIp, port, taken) is not null) continue;
            try { Bind(protocol, hostIp, port).Dispose(); return port; }
            catch (SocketException) { }
        }
        return null;
    }

    private string Suggest(string protocol, string hostIp, int port, List<Hold> taken) =>
        NextFreeLocked(protocol, hostIp, port + 1, taken) is { } free ? $" ({free} is free)" : "";

    private EngineException BindFailure(SocketException e, string protocol, string hostIp, int port, List<Hold> taken)
    {
        string problem = BindProblem(e, protocol, hostIp, port);
        return e.SocketErrorCode == SocketError.AddressNotAvailable
            ? EngineException.Invalid(problem)
            : EngineException.Conflict($"{problem}; stop it or choose another host port{Suggest(protocol, hostIp, port, taken)}");
    }

    private static string BindProblem(SocketException e, string protocol, string hostIp, int port) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable =>
            $"{hostIp} is not an address of this host, so {(port == 0 ? "no port can" : $"{port}/{protocol} cannot")} be published on it; give one of the host's addresses, 127.0.0.1, or leave the address out for all of them",
        SocketError.AddressAlreadyInUse => HostPortOwners.Describe(protocol, port) is { } who
            ? $"{port}/{protocol} on {hostIp} is in use by a host process ({who})"
            : $"{port}/{protocol} on {hostIp} is in use on this host",
        _ => $"{port}/{protocol} on {hostIp} cannot be held: {e.Message}",
    };

    private void Register(Hold h)
    {
        var key = (h.Port.Protocol, h.Port.HostPort);
        if (!_byPort.TryGetValue(key, out var list)) _byPort[key] = list = [];
        list.Add(h);
        if (!_byContainer.TryGetValue(h.ContainerId, out var mine)) _byContainer[h.ContainerId] = mine = [];
        mine.Add(h);
    }

    /// <summary>A socket bound to the port (see the class comment for SO_REUSEADDR). setsockopt and bind are called
    /// directly: .NET's Bind sets SO_REUSEADDR on TCP sockets itself, and its ReuseAddress option adds SO_REUSEPORT.</summary>
    private static Socket Bind(string protocol, string hostIp, int port)
    {
        try { return BindOnce(protocol, hostIp, port, reuseAddress: false); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && protocol == "tcp" && port != 0
                                        && !HostPortOwners.AnyOpenSocket(protocol, port))
        {
            return BindOnce(protocol, hostIp, port, reuseAddress: true);
        }
    }

    private static Socket BindOnce(string protocol, string hostIp, int port, bool reuseAddress)
    {
        var socket = protocol == "udp"
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            const int SolSocket = 1, SoReuseAddr = 2;
            if (reuseAddress) socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            Kernel.Interop.Libc.BindExactly(socket, IPAddress.Parse(hostIp), port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A host address must be one of this namespace's own: binding port 0 on it fails with EADDRNOTAVAIL
    /// otherwise (and nothing else could ever deliver packets for it to us).</summary>
    private static void CheckHostAddress(string address, PortRequest example)
    {
        try { Bind("udp", address, 0).Dispose(); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw EngineException.Invalid(BindProblem(e, example.Protocol, address, example.HostPortFirst));
        }
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], out int low) && int.TryParse(parts[1], out int high) && low >= 1 && high <= 65535 && low <= high)
                return (low, high);
        }
        catch (IOException) { }
        return (32768, 60999);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var h in _byContainer.Values.SelectMany(l => l)) h.Socket?.Dispose();
            _byContainer.Clear();
            _byPort.Clear();
        }
    }
}
