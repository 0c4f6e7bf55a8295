using MyDocker.Engine.Kernel.Netlink;

namespace MyDocker.Engine.Networks;

/// <summary>
/// Where a new network may go on this host, as <see cref="NetworkPlanner"/> needs it: the address pools its subnet is
/// picked from, the subnets the host itself uses (its routes and addresses, <see cref="IHostSubnets"/>, and its name
/// servers), and the device names already taken. Read afresh at every plan; thread-safe.
/// </summary>
public sealed class NetworkSpace(IRtNetlink netlink, IHostSubnets hostSubnets, EngineOptions options)
{
    public IReadOnlyList<AddressPool> Pools => options.AddressPools;

    public bool DeviceExists(string name) => netlink.GetLink(name) is not null;

    /// <summary>Subnets a new network must not overlap besides other networks: the host's own routes and addresses and
    /// its name servers.</summary>
    public IEnumerable<OccupiedSubnet> OccupiedByHost()
    {
        List<OccupiedSubnet> result = [.. hostSubnets.Current()];
        // Read at every plan, as the resolver may change (DHCP, NetworkManager); a host without the file has none.
        string resolvConf = File.Exists(options.ResolvConfPath) ? File.ReadAllText(options.ResolvConfPath) : "";
        result.AddRange(NetworkPlanner.NameServers(resolvConf, options.ResolvConfPath));
        return result;
    }
}
