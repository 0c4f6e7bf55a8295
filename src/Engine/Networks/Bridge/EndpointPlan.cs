using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.Engine.Networks.Bridge;

/// <summary>
/// What a container's endpoint on a bridge network is made of. Everything else is derived from the container id, so
/// the reconciler can rebuild the plan from the container record and the network record alone.
/// </summary>
/// <param name="ContainerId">64 lower-case hex digits.</param>
/// <param name="NetnsPath">The container's network namespace file (see <see cref="Kernel.Namespaces.NetnsStore"/>).</param>
/// <param name="Bridge">The network's bridge device on the host.</param>
/// <param name="Address">The container's IPv4 address (from IPAM), inside the subnet <paramref name="PrefixLength"/> gives.</param>
/// <param name="Gateway">The bridge's address: the container's default route goes via it.</param>
public sealed record EndpointPlan(string ContainerId, string NetnsPath, string Bridge, IPAddress Address, int PrefixLength, IPAddress Gateway)
{
    /// <summary>N of the container-side interface ethN (Docker's names); 0 to <see cref="EndpointDriver.MaxInterfaceIndex"/>.</summary>
    public int InterfaceIndex { get; init; }

    /// <summary>Whether the container's default route goes via this endpoint's <see cref="Gateway"/> (its primary
    /// endpoint); the others only get the route to their own subnet, which the kernel adds with the address.</summary>
    public bool DefaultRoute { get; init; } = true;

    /// <summary>The container-side interface name: "eth0", "eth1", ….</summary>
    public string ContainerInterface => "eth" + InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The host-side veth (see <see cref="EndpointDriver.HostVethName(string, int)"/>), 15 bytes (IFNAMSIZ - 1).</summary>
    public string HostVeth => EndpointDriver.HostVethName(ContainerId, InterfaceIndex);

    /// <summary>The host veth's alias, which marks it as the engine's and names its container.</summary>
    public string Alias => EndpointDriver.AliasFor(ContainerId);

    /// <summary>eth0's MAC, derived from the address as Docker does (02:42 and the 4 bytes of the IPv4 address): locally
    /// administered, unicast, and stable across a re-creation, so neighbours' ARP caches stay right.</summary>
    public PhysicalAddress Mac
    {
        get
        {
            Span<byte> mac = [0x02, 0x42, 0, 0, 0, 0];
            Address.TryWriteBytes(mac[2..], out _);
            return new PhysicalAddress(mac.ToArray());
        }
    }

    /// <summary>Null when the plan is usable, otherwise what is wrong with it.</summary>
    public string? Problem()
    {
        if (!EndpointDriver.IsContainerId(ContainerId))
            return $"container id '{ContainerId}' is not 64 lower-case hex digits";
        if (InterfaceIndex is < 0 or > EndpointDriver.MaxInterfaceIndex)
            return $"interface eth{InterfaceIndex} of container {ContainerId[..12]} is out of range: at most eth{EndpointDriver.MaxInterfaceIndex}";
        if (string.IsNullOrEmpty(NetnsPath) || !Path.IsPathFullyQualified(NetnsPath))
            return $"network namespace path '{NetnsPath}' of container {ContainerId[..12]} is not an absolute path";
        if (InterfaceName.Problem(Bridge) is { } bridgeProblem) return bridgeProblem;
        if (Address is null || Gateway is null || Address.AddressFamily != AddressFamily.InterNetwork || Gateway.AddressFamily != AddressFamily.InterNetwork)
            return $"the address and gateway of container {ContainerId[..12]} must be IPv4 addresses";
        if (PrefixLength is < 1 or > 30)
            return $"prefix length /{PrefixLength} of container {ContainerId[..12]} leaves no room for an address and a gateway";
        if (Address.Equals(Gateway))
            return $"container {ContainerId[..12]} cannot have the gateway's address {Gateway}";
        var subnet = new IPNetwork(Mask(Gateway, PrefixLength), PrefixLength);
        if (!subnet.Contains(Address))
            return $"address {Address} of container {ContainerId[..12]} is not in the gateway's subnet {subnet}";
        return null;
    }

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b) & (prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return new IPAddress(b);
    }
}
