using System.Net;
using System.Net.NetworkInformation;

namespace MyDocker.Engine.Kernel.Netlink;

/// <summary>A network interface as the kernel reports it.</summary>
/// <param name="Kind">IFLA_INFO_KIND ("bridge", "veth", ...) or null for devices without one (lo, physical NICs).</param>
/// <param name="Alias">IFLA_IFALIAS; the engine marks devices it creates with an alias starting "mydocker:".</param>
public sealed record LinkInfo(int Index, string Name, string? Kind, string? Alias, bool IsUp, int? MasterIndex);

/// <summary>An IPv4 address configured on an interface.</summary>
public sealed record AddressInfo(int LinkIndex, IPAddress Address, int PrefixLength);

/// <summary>An IPv4 route of the main table; <paramref name="Gateway"/> is RTA_GATEWAY (null for a connected route).</summary>
public sealed record RouteInfo(IPAddress Destination, int PrefixLength, int? OutputLinkIndex, IPAddress? Gateway = null);

/// <summary>
/// rtnetlink requests for the network namespace the instance was created in (a netlink socket stays bound to
/// the netns it was opened in). Every method is synchronous, thread-safe (requests are serialised on one socket),
/// and throws <see cref="KernelException"/> with the kernel's errno on failure. Device names are checked against the
/// kernel's rules (<see cref="InterfaceName"/>) before anything is sent: <see cref="ArgumentException"/>.
/// </summary>
public interface IRtNetlink : IDisposable
{
    /// <summary>Creates a bridge device named <paramref name="name"/> (down); returns its ifindex. EEXIST if the name is taken.</summary>
    int CreateBridge(string name);

    /// <summary>
    /// Creates a veth pair: <paramref name="hostName"/> in this namespace and <paramref name="peerName"/> directly in
    /// the network namespace open as <paramref name="peerNetnsFd"/> (IFLA_NET_NS_FD; a negative fd keeps the peer
    /// here). The caller keeps ownership of the fd. Returns the host side's ifindex. EEXIST if either name is taken
    /// in its namespace; nothing is left behind then. <paramref name="peerAddress"/>, when given, is the peer's MAC
    /// from birth (no window with a random one, no extra request in the other namespace).
    /// </summary>
    int CreateVethPair(string hostName, string peerName, int peerNetnsFd, PhysicalAddress? peerAddress = null);

    /// <summary>Sets the device's MAC address (IFLA_ADDRESS, 6 bytes). A veth accepts it while up (IFF_LIVE_ADDR_CHANGE).</summary>
    void SetLinkAddress(int ifindex, PhysicalAddress address);

    /// <summary>Attaches the device to a bridge (IFLA_MASTER); <paramref name="masterIndex"/> 0 detaches it.</summary>
    void SetMaster(int ifindex, int masterIndex);

    /// <summary>Turns hairpin mode on for a bridge port (it must already have a bridge master). With br_netfilter, a
    /// container reaching its own published port through a host address is answered by a frame bridged back out of
    /// its own port, which a bridge only does in hairpin mode (Docker sets it for the same reason).</summary>
    void SetHairpin(int ifindex);

    /// <summary>Sets IFLA_IFALIAS of the device (an alias cannot be given at creation time: rtnl_create_link ignores it).</summary>
    void SetAlias(int ifindex, string alias);

    /// <summary>Brings the device up (IFF_UP).</summary>
    void SetUp(int ifindex);

    /// <summary>Adds an IPv4 address with its prefix and broadcast; the kernel adds the connected route itself.</summary>
    void AddAddress(int ifindex, IPAddress address, int prefixLength);

    /// <summary>
    /// Adds an IPv4 route to the main table (proto boot, like `ip route add`): <paramref name="destination"/>/
    /// <paramref name="prefixLength"/> (0.0.0.0/0 is the default route) via <paramref name="gateway"/> (null: directly
    /// on the link) out of <paramref name="outputIndex"/>. EEXIST if the route exists, unless <paramref name="replace"/>
    /// (`ip route replace`); ENETUNREACH if the gateway is not on a connected subnet of the device.
    /// </summary>
    void AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int outputIndex, bool replace = false);

    /// <summary>Removes an IPv4 address (and with it the connected route). Returns false if it was not there.</summary>
    bool DeleteAddress(int ifindex, IPAddress address, int prefixLength);

    /// <summary>Deletes the device by name. Returns false if it did not exist (already gone counts as success).</summary>
    bool DeleteLink(string name);

    /// <summary>The device with that name, or null.</summary>
    LinkInfo? GetLink(string name);

    /// <summary>The device with that ifindex, or null.</summary>
    LinkInfo? GetLink(int ifindex);

    /// <summary>All devices (RTM_GETLINK dump).</summary>
    IReadOnlyList<LinkInfo> ListLinks();

    /// <summary>All IPv4 addresses (RTM_GETADDR dump, AF_INET).</summary>
    IReadOnlyList<AddressInfo> ListAddresses();

    /// <summary>All IPv4 routes of the main table (RTM_GETROUTE dump, AF_INET, RT_TABLE_MAIN).</summary>
    IReadOnlyList<RouteInfo> ListRoutes();

    /// <summary>Gives the device a clsact qdisc (its tc ingress and egress hooks). Idempotent: a device that has one keeps it.</summary>
    void AddClsactQdisc(int ifindex);

    /// <summary>Puts a classic BPF program in direct-action mode (its return value is the TC_ACT_* verdict) on the device's
    /// tc ingress hook at <paramref name="priority"/>/<paramref name="handle"/>, for every protocol, replacing the
    /// program of a bpf filter already there. Needs the clsact qdisc. EINVAL when a filter of another kind holds that priority.</summary>
    void ReplaceIngressBpfFilter(int ifindex, ushort priority, uint handle, ReadOnlySpan<ClassicBpfInstruction> program);

    /// <summary>The filters on the device's tc ingress hook (RTM_GETTFILTER dump); empty when it has no clsact qdisc.</summary>
    IReadOnlyList<TcFilterInfo> ListIngressFilters(int ifindex);
}
