using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using MyDocker.Engine.Kernel;
using MyDocker.Engine.Kernel.Netlink;
using MyDocker.Engine.Networks.Ipam;

namespace MyDocker.UnitTests.Fakes;

/// <summary>
/// One network namespace's links, IPv4 addresses, routes and tc ingress filters, kept in memory as the kernel keeps them,
/// with the kernel's answers: EEXIST for a name or address taken, ENODEV for an ifindex that is gone, ENETUNREACH for a
/// gateway on no connected subnet; deleting a device takes its addresses, routes and filters with it and releases its
/// bridge ports; a connected route exists while its address is on an up device. <see cref="Dump"/> prints the state as
/// <c>ip -br</c> does (plus the kind, master and alias the engine marks its devices with), for golden comparisons.
/// <para>Starts as a fresh namespace: only <c>lo</c> (index 1, up, 127.0.0.1/8). Thread-safe (one lock, as the real
/// one serialises its requests on one socket). A veth peer sent to another namespace (a fd ≥ 0) is not modelled.</para>
/// </summary>
public sealed class FakeRtNetlink : IRtNetlink
{
    private sealed class Link
    {
        public required int Index;
        public required string Name;
        public string? Kind, Alias;
        public bool Up, Hairpin, Clsact;
        public int? Master, Peer;
        public PhysicalAddress? Mac;
        public readonly List<TcFilterInfo> Filters = [];
        public LinkInfo Info => new(Index, Name, Kind, Alias, Up, Master);
    }

    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, Link> _links = new();
    private readonly List<AddressInfo> _addresses = [];
    private readonly List<RouteInfo> _routes = [];
    private readonly List<(string Method, Func<string, bool> When, int Errno, bool Once)> _failures = [];
    private int _nextIndex = 2;

    public FakeRtNetlink()
    {
        _links[1] = new Link { Index = 1, Name = "lo", Up = true };
        _addresses.Add(new AddressInfo(1, IPAddress.Loopback, 8));
    }

    /// <summary>Makes <paramref name="method"/> (an <see cref="IRtNetlink"/> method name) fail with <paramref name="errno"/>,
    /// for the requests whose detail (the device name, or "ifindex N") satisfies <paramref name="when"/>; once, or for
    /// ever. The request changes nothing, as a refused kernel request does.</summary>
    public FakeRtNetlink Fail(string method, int errno, Func<string, bool>? when = null, bool once = false)
    {
        lock (_gate) _failures.Add((method, when ?? (_ => true), errno, once));
        return this;
    }

    /// <summary>Forgets every armed failure (the fault is fixed).</summary>
    public void ClearFailures()
    {
        lock (_gate) _failures.Clear();
    }

    /// <summary>Adds a device someone else made (a NIC, a device made by hand); returns its ifindex.</summary>
    public int AddForeignLink(string name, string? kind = null, string? alias = null, bool up = true)
    {
        lock (_gate)
        {
            if (Find(name) is not null) throw new InvalidOperationException($"{name} exists");
            var link = new Link { Index = _nextIndex++, Name = name, Kind = kind, Alias = alias, Up = up };
            _links[link.Index] = link;
            return link.Index;
        }
    }

    /// <summary>Sets a device down, as `ip link set DEV down` (drift the reconciler repairs).</summary>
    public void SetDown(string name)
    {
        lock (_gate) Get(Find(name)?.Index ?? 0, "set down", name).Up = false;
    }

    public int CreateBridge(string name)
    {
        InterfaceName.Validate(name);
        lock (_gate)
        {
            Enter(nameof(CreateBridge), name, "create bridge");
            if (Find(name) is not null) throw Error("create bridge", KernelException.EEXIST, name);
            var link = new Link { Index = _nextIndex++, Name = name, Kind = "bridge" };
            _links[link.Index] = link;
            return link.Index;
        }
    }

    public int CreateVethPair(string hostName, string peerName, int peerNetnsFd, PhysicalAddress? peerAddress = null)
    {
        InterfaceName.Validate(hostName, nameof(hostName));
        InterfaceName.Validate(peerName, nameof(peerName));
        lock (_gate)
        {
            Enter(nameof(CreateVethPair), hostName, "create veth pair");
            if (Find(hostName) is not null || (peerNetnsFd < 0 && Find(peerName) is not null))
                throw Error("create veth pair", KernelException.EEXIST, $"{hostName} (peer {peerName})");
            var host = new Link { Index = _nextIndex++, Name = hostName, Kind = "veth" };
            _links[host.Index] = host;
            if (peerNetnsFd < 0)
            {
                var peer = new Link { Index = _nextIndex++, Name = peerName, Kind = "veth", Mac = peerAddress, Peer = host.Index };
                _links[peer.Index] = peer;
                host.Peer = peer.Index;
            }
            return host.Index;
        }
    }

    public void SetLinkAddress(int ifindex, PhysicalAddress address)
    {
        lock (_gate) Get(ifindex, nameof(SetLinkAddress), "set interface MAC address").Mac = address;
    }

    public void SetMaster(int ifindex, int masterIndex)
    {
        lock (_gate)
        {
            var link = Get(ifindex, nameof(SetMaster), "set interface master");
            if (masterIndex != 0 && !_links.ContainsKey(masterIndex)) throw Error("set interface master", KernelException.ENODEV, $"master ifindex {masterIndex}");
            link.Master = masterIndex == 0 ? null : masterIndex;
            if (link.Master is null) link.Hairpin = false;
        }
    }

    public void SetHairpin(int ifindex)
    {
        lock (_gate)
        {
            var link = Get(ifindex, nameof(SetHairpin), "set bridge port hairpin mode");
            // br_setport is reached only for a bridge port; elsewhere rtnl_bridge_setlink answers EOPNOTSUPP.
            if (link.Master is null) throw Error("set bridge port hairpin mode", 95 /* EOPNOTSUPP */, $"ifindex {ifindex}");
            link.Hairpin = true;
        }
    }

    public void SetAlias(int ifindex, string alias)
    {
        lock (_gate) Get(ifindex, nameof(SetAlias), "set interface alias").Alias = alias.Length == 0 ? null : alias;
    }

    public void SetUp(int ifindex)
    {
        lock (_gate) Get(ifindex, nameof(SetUp), "set interface up").Up = true;
    }

    public void AddAddress(int ifindex, IPAddress address, int prefixLength)
    {
        lock (_gate)
        {
            Get(ifindex, nameof(AddAddress), "add address");
            var a = new AddressInfo(ifindex, address, prefixLength);
            if (_addresses.Contains(a)) throw Error("add address", KernelException.EEXIST, $"{address}/{prefixLength} on ifindex {ifindex}");
            _addresses.Add(a);
        }
    }

    public void AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int outputIndex, bool replace = false)
    {
        lock (_gate)
        {
            string op = replace ? "replace route" : "add route";
            var link = Get(outputIndex, nameof(AddRoute), op);
            if (gateway is not null && !ConnectedLocked().Any(r => r.OutputLinkIndex == link.Index && Contains(r, gateway)))
                throw Error(op, 101 /* ENETUNREACH */, $"{destination}/{prefixLength} via {gateway}");
            int existing = _routes.FindIndex(r => r.Destination.Equals(destination) && r.PrefixLength == prefixLength);
            if (existing >= 0 && !replace) throw Error(op, KernelException.EEXIST, $"{destination}/{prefixLength}");
            if (existing >= 0) _routes.RemoveAt(existing);
            _routes.Add(new RouteInfo(destination, prefixLength, outputIndex, gateway));
        }
    }

    public bool DeleteAddress(int ifindex, IPAddress address, int prefixLength)
    {
        lock (_gate)
        {
            Enter(nameof(DeleteAddress), $"ifindex {ifindex}", "delete address");
            // The real one answers false for EADDRNOTAVAIL and ENODEV (already gone).
            if (!_links.ContainsKey(ifindex)) return false;
            bool removed = _addresses.Remove(new AddressInfo(ifindex, address, prefixLength));
            if (removed) DropUnreachableRoutes();
            return removed;
        }
    }

    public bool DeleteLink(string name)
    {
        lock (_gate)
        {
            Enter(nameof(DeleteLink), name, "delete interface");
            var link = Find(name);
            if (link is null) return false;
            Remove(link);
            // A veth pair goes as a whole.
            if (link.Peer is { } peer && _links.TryGetValue(peer, out var other)) Remove(other);
            DropUnreachableRoutes();
            return true;
        }
    }

    public LinkInfo? GetLink(string name)
    {
        lock (_gate) return Find(name)?.Info;
    }

    public LinkInfo? GetLink(int ifindex)
    {
        lock (_gate) return _links.TryGetValue(ifindex, out var l) ? l.Info : null;
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        lock (_gate)
        {
            Enter(nameof(ListLinks), "", "dump interfaces");
            return [.. _links.Values.Select(l => l.Info)];
        }
    }

    public IReadOnlyList<AddressInfo> ListAddresses()
    {
        lock (_gate)
        {
            Enter(nameof(ListAddresses), "", "dump addresses");
            return [.. _addresses];
        }
    }

    public IReadOnlyList<RouteInfo> ListRoutes()
    {
        lock (_gate)
        {
            Enter(nameof(ListRoutes), "", "dump routes");
            return RoutesLocked();
        }
    }

    public void AddClsactQdisc(int ifindex)
    {
        lock (_gate) Get(ifindex, nameof(AddClsactQdisc), "add clsact qdisc").Clsact = true;
    }

    public void ReplaceIngressBpfFilter(int ifindex, ushort priority, uint handle, ReadOnlySpan<ClassicBpfInstruction> program)
    {
        var copy = program.ToArray();
        lock (_gate)
        {
            var link = Get(ifindex, nameof(ReplaceIngressBpfFilter), "add tc ingress bpf filter");
            if (!link.Clsact) throw Error("add tc ingress bpf filter", KernelException.EINVAL, $"ifindex {ifindex}: no clsact qdisc");
            int at = link.Filters.FindIndex(f => f.Priority == priority);
            if (at >= 0 && link.Filters[at].Kind != "bpf") throw Error("add tc ingress bpf filter", KernelException.EINVAL, $"priority {priority} holds a {link.Filters[at].Kind} filter");
            if (at >= 0) link.Filters.RemoveAt(at);
            link.Filters.Add(new TcFilterInfo("bpf", priority, handle, copy, DirectAction: true));
        }
    }

    public IReadOnlyList<TcFilterInfo> ListIngressFilters(int ifindex)
    {
        lock (_gate)
        {
            var link = Get(ifindex, nameof(ListIngressFilters), "dump tc ingress filters");
            return link.Clsact ? [.. link.Filters] : [];
        }
    }

    public void Dispose() { }

    /// <summary>
    /// The namespace as text: one line per device as <c>ip -br addr</c> prints it (name, state, addresses), with the kind,
    /// master, hairpin, ingress filters and alias after it, then the routes as <c>ip route</c> prints them. Ordered by
    /// ifindex, so the text says in which order devices were made.
    /// </summary>
    public string Dump()
    {
        lock (_gate)
        {
            var b = new StringBuilder();
            foreach (var l in _links.Values)
            {
                var addrs = _addresses.Where(a => a.LinkIndex == l.Index).Select(a => $"{a.Address}/{a.PrefixLength}");
                b.Append($"{l.Name,-16} {(l.Up ? "UP" : "DOWN"),-14} {string.Join(' ', addrs)}".TrimEnd());
                if (l.Kind is not null) b.Append($" <{l.Kind}>");
                if (l.Master is { } m) b.Append($" master {(_links.TryGetValue(m, out var ml) ? ml.Name : m.ToString())}");
                if (l.Hairpin) b.Append(" hairpin");
                foreach (var f in l.Filters) b.Append($" ingress {f.Kind} prio {f.Priority}");
                if (l.Alias is not null) b.Append($" alias {l.Alias}");
                b.Append('\n');
            }
            foreach (var r in RoutesLocked())
            {
                string dev = r.OutputLinkIndex is { } i && _links.TryGetValue(i, out var l) ? l.Name : "?";
                b.Append(r.Gateway is null
                    ? $"{r.Destination}/{r.PrefixLength} dev {dev}\n"
                    : $"{(r.PrefixLength == 0 ? "default" : $"{r.Destination}/{r.PrefixLength}")} via {r.Gateway} dev {dev}\n");
            }
            return b.ToString();
        }
    }

    /// <summary>The main table in the order a dump walks the FIB trie: by destination, then prefix length.</summary>
    private List<RouteInfo> RoutesLocked() =>
        [.. ConnectedLocked().Concat(_routes).OrderBy(r => IPv4.ToUInt(r.Destination)).ThenBy(r => r.PrefixLength)];

    // The kernel adds the prefix route of an address while its device is up (fib_add_ifaddr on NETDEV_UP); lo's is local only.
    private IEnumerable<RouteInfo> ConnectedLocked() =>
        _addresses.Where(a => a.LinkIndex != 1 && _links.TryGetValue(a.LinkIndex, out var l) && l.Up)
            .Select(a => new RouteInfo(Network(a.Address, a.PrefixLength), a.PrefixLength, a.LinkIndex));

    private static IPAddress Network(IPAddress address, int prefix) =>
        IPv4.ToAddress(IPv4.ToUInt(address) & (prefix == 0 ? 0u : uint.MaxValue << (32 - prefix)));

    private static bool Contains(RouteInfo r, IPAddress a) => Network(a, r.PrefixLength).Equals(r.Destination);

    /// <summary>A route through a gateway goes when its gateway is no longer on a connected subnet (fib_sync_down_addr).</summary>
    private void DropUnreachableRoutes()
    {
        var connected = ConnectedLocked().ToList();
        _routes.RemoveAll(r => !_links.ContainsKey(r.OutputLinkIndex ?? 0)
                               || (r.Gateway is { } g && !connected.Any(c => c.OutputLinkIndex == r.OutputLinkIndex && Contains(c, g))));
    }

    private void Remove(Link link)
    {
        _links.Remove(link.Index);
        _addresses.RemoveAll(a => a.LinkIndex == link.Index);
        foreach (var port in _links.Values.Where(p => p.Master == link.Index))
        {
            port.Master = null;
            port.Hairpin = false;
        }
    }

    private Link? Find(string name) => _links.Values.FirstOrDefault(l => l.Name == name);

    private Link Get(int ifindex, string method, string operation)
    {
        Enter(method, $"ifindex {ifindex}", operation);
        return _links.TryGetValue(ifindex, out var l) ? l : throw Error(operation, KernelException.ENODEV, $"ifindex {ifindex}");
    }

    /// <summary>Throws the failure armed for the request, if any.</summary>
    private void Enter(string method, string detail, string operation)
    {
        // Failures armed by device name also match requests that name the device by ifindex.
        string? name = detail.StartsWith("ifindex ", StringComparison.Ordinal) && int.TryParse(detail[8..], out int i) && _links.TryGetValue(i, out var l) ? l.Name : null;
        int at = _failures.FindIndex(f => f.Method == method && (f.When(detail) || (name is not null && f.When(name))));
        if (at < 0) return;
        var failure = _failures[at];
        if (failure.Once) _failures.RemoveAt(at);
        throw Error(operation, failure.Errno, name ?? detail);
    }

    private static KernelException Error(string operation, int errno, string detail) => KernelException.FromErrno(operation, errno, detail);
}
