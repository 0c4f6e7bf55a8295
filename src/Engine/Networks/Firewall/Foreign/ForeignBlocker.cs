namespace MyDocker.Engine.Networks.Firewall.Foreign;

/// <summary>
/// Something outside the engine's own table that drops or may drop forwarded traffic of engine bridges.
/// </summary>
/// <param name="Family">nftables family of the foreign table ("ip", "inet"); "ip" for iptables-legacy too.</param>
/// <param name="Table">The foreign table ("filter"); see <see cref="Backend"/> for who wrote it.</param>
/// <param name="Chain">The chain holding the drop: the base chain for a policy, or the chain of the rule (a chain
/// jumped to from the base chain, like Docker's DOCKER-FORWARD, names itself here and the base chain in <see cref="Via"/>).</param>
/// <param name="Hook">The netfilter hook of the base chain ("forward", "prerouting").</param>
/// <param name="Priority">The base chain's priority (lower runs first; ours is filter = 0).</param>
/// <param name="What">Plain words: "policy drop", or the rule as nft would roughly print it.</param>
/// <param name="Covered">True when the engine's own accept rules (iptables rules tagged "mydocker") come first in
/// this chain for every bridge involved, so the drop no longer reaches our traffic.</param>
/// <param name="Fix">Plain words: what would let our traffic through without removing the other tool's rules.</param>
public sealed record ForeignBlocker(
    string Family, string Table, string Chain, string Hook, int Priority, string What, bool Covered, string Fix)
{
    /// <summary>"nftables" for a table read through nftables (nft-native or iptables-nft), "iptables-legacy" for the
    /// x_tables filter table.</summary>
    public string Backend { get; init; } = "nftables";

    /// <summary>The base chain a rule is reached from through jump/goto; null when the rule (or policy) is in it.</summary>
    public string? Via { get; init; }

    /// <summary>The nftables rule handle; null for a chain policy or an iptables-legacy rule.</summary>
    public long? Handle { get; init; }

    /// <summary>The engine bridges whose traffic the drop matches (every bridge for a policy).</summary>
    public IReadOnlyList<string> Bridges { get; init; } = [];

    /// <summary>False when the rule has conditions we cannot judge (addresses, ports, an opaque iptables match):
    /// it may drop some of our traffic, not necessarily all of it.</summary>
    public bool Certain { get; init; } = true;

    /// <summary>"family table chain", e.g. "ip filter FORWARD".</summary>
    public string Object => $"{Family} {Table} {Chain}";
}
