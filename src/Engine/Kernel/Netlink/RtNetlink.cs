using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Namespaces;
using static MyDocker.Engine.Kernel.Netlink.RtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>
/// <see cref="IRtNetlink"/> over a NETLINK_ROUTE socket. The socket belongs to the network namespace of the
/// thread that called <see cref="Open"/>; open it inside a namespace (see <see cref="OpenInNetns"/>) and use it
/// from any thread afterwards. Requests are built in stack memory and replies read into one buffer per instance,
/// so a request allocates nothing large.
/// </summary>
public sealed class RtNetlink : IRtNetlink
{
    // Largest request: a veth pair (~100 bytes) or an alias (up to 255 bytes) plus headers.
    private const int RequestBufferSize = 1024;
    // A dump the kernel flags as interrupted (the table changed meanwhile) is repeated this many times at most.
    private const int DumpAttempts = 5;

    private readonly NetlinkSocket _socket;

    private RtNetlink(NetlinkSocket socket) => _socket = socket;

    /// <summary>Opens an rtnetlink socket in the calling thread's network namespace.</summary>
    public static RtNetlink Open() => new(NetlinkSocket.Open(Libc.NETLINK_ROUTE));

    /// <summary>Opens an rtnetlink socket bound to the namespace at <paramref name="netnsPath"/> (e.g. /run/netns/NAME).</summary>
    public static RtNetlink OpenInNetns(string netnsPath) => NetnsThread.Run(netnsPath, Open);

    public int CreateBridge(string name)
    {
        InterfaceName.Validate(name);
        return CreateLink("create bridge", name, name,
            (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.CreateBridge(ref w, seq, name));
    }

    public int CreateVethPair(string hostName, string peerName, int peerNetnsFd, PhysicalAddress? peerAddress = null)
    {
        InterfaceName.Validate(hostName, nameof(hostName));
        InterfaceName.Validate(peerName, nameof(peerName));
        byte[]? mac = peerAddress is null ? null : CheckMac(peerAddress, nameof(peerAddress));
        return CreateLink("create veth pair", hostName, $"{hostName} (peer {peerName})",
            (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.CreateVethPair(ref w, seq, hostName, peerName, peerNetnsFd, mac));
    }

    public void SetLinkAddress(int ifindex, PhysicalAddress address)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        ArgumentNullException.ThrowIfNull(address);
        byte[] mac = CheckMac(address, nameof(address));
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.SetLinkAddress(ref w, _socket.NextSequence(), ifindex, mac);
        _socket.Request("set interface MAC address", $"{address} on ifindex {ifindex}", w.Written);
    }

    private static byte[] CheckMac(PhysicalAddress address, string parameterName)
    {
        byte[] bytes = address.GetAddressBytes();
        if (bytes.Length != ETH_ALEN)
            throw new ArgumentException($"A MAC address has {ETH_ALEN} bytes; got {bytes.Length}.", parameterName);
        // Bit 0 of the first byte marks a multicast address, which no interface may carry (is_valid_ether_addr).
        if ((bytes[0] & 1) != 0 || bytes.All(b => b == 0))
            throw new ArgumentException($"{address} is a multicast or zero MAC address; an interface needs a unicast one.", parameterName);
        return bytes;
    }

    public void AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int outputIndex, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{destination} is not an IPv4 address.", nameof(destination));
        if (gateway is not null && gateway.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{gateway} is not an IPv4 address.", nameof(gateway));
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputIndex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.AddRoute(ref w, _socket.NextSequence(), destination, prefixLength, gateway, outputIndex, replace);
        string via = gateway is null ? "" : $" via {gateway}";
        _socket.Request(replace ? "replace route" : "add route", $"{destination}/{prefixLength}{via} on ifindex {outputIndex}", w.Written);
    }

    public void SetAlias(int ifindex, string alias)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        ArgumentNullException.ThrowIfNull(alias);
        int bytes = Encoding.UTF8.GetByteCount(alias);
        if (bytes > IFALIASZ - 1)
            throw new ArgumentException($"Interface alias is {bytes} bytes long; Linux allows at most {IFALIASZ - 1}.", nameof(alias));
        if (alias.Contains('\0')) throw new ArgumentException("Interface alias contains a NUL character.", nameof(alias));
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.SetAlias(ref w, _socket.NextSequence(), ifindex, alias);
        _socket.Request("set interface alias", $"ifindex {ifindex}", w.Written);
    }

    public void SetUp(int ifindex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.SetUp(ref w, _socket.NextSequence(), ifindex);
        _socket.Request("set interface up", $"ifindex {ifindex}", w.Written);
    }

    public void SetHairpin(int ifindex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.SetHairpin(ref w, _socket.NextSequence(), ifindex);
        _socket.Request("set bridge port hairpin mode", $"ifindex {ifindex}", w.Written);
    }

    public void SetMaster(int ifindex, int masterIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        ArgumentOutOfRangeException.ThrowIfNegative(masterIndex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.SetMaster(ref w, _socket.NextSequence(), ifindex, masterIndex);
        _socket.Request("set interface master", $"ifindex {ifindex}, master ifindex {masterIndex}", w.Written);
    }

    public void AddAddress(int ifindex, IPAddress address, int prefixLength)
    {
        CheckAddressArguments(ifindex, address, prefixLength);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.AddAddress(ref w, _socket.NextSequence(), ifindex, address, prefixLength);
        _socket.Request("add address", $"{address}/{prefixLength} on ifindex {ifindex}", w.Written);
    }

    public bool DeleteAddress(int ifindex, IPAddress address, int prefixLength)
    {
        CheckAddressArguments(ifindex, address, prefixLength);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.DeleteAddress(ref w, _socket.NextSequence(), ifindex, address, prefixLength);
        try
        {
            _socket.Request("delete address", $"{address}/{prefixLength} on ifindex {ifindex}", w.Written);
            return true;
        }
        catch (KernelException e) when (e is KernelNotFoundException || e.Errno == KernelException.EADDRNOTAVAIL)
        {
            return false;
        }
    }

    private static void CheckAddressArguments(int ifindex, IPAddress address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
    }

    public bool DeleteLink(string name)
    {
        InterfaceName.Validate(name);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.DeleteLink(ref w, _socket.NextSequence(), name);
        try
        {
            _socket.Request("delete interface", name, w.Written);
            return true;
        }
        catch (KernelNotFoundException)
        {
            return false;
        }
    }

    public LinkInfo? GetLink(string name)
    {
        InterfaceName.Validate(name);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.GetLink(ref w, _socket.NextSequence(), name);
        LinkInfo? link = null;
        try
        {
            _socket.Request("get interface", name, w.Written, m => link ??= RtNetlinkReplies.ParseLink(m));
        }
        catch (KernelNotFoundException)
        {
            return null;
        }
        return link;
    }

    public LinkInfo? GetLink(int ifindex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.GetLink(ref w, _socket.NextSequence(), ifindex);
        LinkInfo? link = null;
        try
        {
            _socket.Request("get interface", $"ifindex {ifindex}", w.Written, m => link ??= RtNetlinkReplies.ParseLink(m));
        }
        catch (KernelNotFoundException)
        {
            return null;
        }
        return link;
    }

    public IReadOnlyList<LinkInfo> ListLinks() =>
        Dump("list interfaces", static (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.DumpLinks(ref w, seq),
            static m => RtNetlinkReplies.ParseLink(m));

    public IReadOnlyList<AddressInfo> ListAddresses() =>
        Dump("list addresses", static (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.DumpAddresses(ref w, seq),
            static m => RtNetlinkReplies.ParseAddress(m));

    public IReadOnlyList<RouteInfo> ListRoutes() =>
        Dump("list routes", static (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.DumpRoutes(ref w, seq),
            static m => RtNetlinkReplies.ParseRoute(m));

    public void AddClsactQdisc(int ifindex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.AddClsactQdisc(ref w, _socket.NextSequence(), ifindex);
        try
        {
            _socket.Request("add clsact qdisc", $"ifindex {ifindex}", w.Written);
        }
        catch (KernelExistsException)
        {
            // Already there (ours from before, or the admin's): the filter request says whether it can carry a filter.
        }
    }

    public void ReplaceIngressBpfFilter(int ifindex, ushort priority, uint handle, ReadOnlySpan<ClassicBpfInstruction> program)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        ArgumentOutOfRangeException.ThrowIfZero(priority);
        ArgumentOutOfRangeException.ThrowIfZero(handle);
        // BPF_MAXINSNS is 4096; the request buffer bounds it far lower, which is plenty for the engine's programs.
        if (program.IsEmpty || program.Length > 64)
            throw new ArgumentException($"A classic BPF program here has 1 to 64 instructions; got {program.Length}.", nameof(program));
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        RtNetlinkRequests.ReplaceIngressBpfFilter(ref w, _socket.NextSequence(), ifindex, priority, handle, program);
        _socket.Request("add tc ingress bpf filter", $"ifindex {ifindex}, priority {priority}, handle {handle}", w.Written);
    }

    public IReadOnlyList<TcFilterInfo> ListIngressFilters(int ifindex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        // A device without a clsact qdisc answers with an empty dump (checked with strace of `tc filter show`).
        return Dump("list tc ingress filters", (ref NetlinkMessageWriter w, uint seq) => RtNetlinkRequests.DumpIngressFilters(ref w, seq, ifindex),
            static m => RtNetlinkReplies.ParseTcFilter(m));
    }

    public void Dispose() => _socket.Dispose();

    private delegate void RequestBuilder(ref NetlinkMessageWriter writer, uint sequence);

    /// <summary>Sends an RTM_NEWLINK with NLM_F_ECHO and returns the new ifindex from the echo, or by name on kernels that do not echo.</summary>
    private int CreateLink(string operation, string name, string detail, RequestBuilder build)
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var w = new NetlinkMessageWriter(buffer);
        build(ref w, _socket.NextSequence());
        int index = 0;
        _socket.Request(operation, detail, w.Written, m =>
        {
            if (RtNetlinkReplies.ParseLink(m) is { } link && link.Name == name) index = link.Index;
        });
        if (index > 0) return index;
        return GetLink(name)?.Index
            ?? throw KernelException.FromErrno(operation, KernelException.ENODEV, $"{detail} was created but is gone again");
    }

    private List<T> Dump<T>(string operation, RequestBuilder build, Func<NetlinkMessage, T?> parse) where T : class
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        var results = new List<T>();
        for (int attempt = 1; ; attempt++)
        {
            results.Clear();
            var w = new NetlinkMessageWriter(buffer);
            build(ref w, _socket.NextSequence());
            bool consistent = _socket.Dump(operation, w.Written, m =>
            {
                if (parse(m) is { } item) results.Add(item);
            });
            if (consistent) return results;
            if (attempt == DumpAttempts)
                throw KernelException.FromErrno(operation, 4 /* EINTR */, $"the kernel interrupted the dump {DumpAttempts} times in a row because the table kept changing");
        }
    }
}
