namespace MyDocker.Resolver.Names;

/// <summary>What a lookup found.</summary>
public enum LookupStatus
{
    /// <summary>The asking address is no container's (the host, another namespace, a stale address): refuse.</summary>
    UnknownSource,

    /// <summary>None of the asker's networks holds the name: forward it (or NXDOMAIN where forwarding is off).</summary>
    NotFound,

    Found,
}

/// <summary>
/// One immutable state of the resolver's records: each network's names (container name, aliases, short id, hostname)
/// → addresses, and each source address (a container's address on one of its networks) → that container's networks.
/// Engine subnets never overlap (NetworkPlanner refuses it), so a source address names one container.
/// Never changed once built: a reader holding one sees the same records for as long as it holds it, and nothing it
/// reads is ever written by another thread, so lookups take no lock.
/// </summary>
public sealed class NameSnapshot
{
    public static NameSnapshot Empty { get; } = new(new Dictionary<string, NetworkNames>(StringComparer.Ordinal), new Dictionary<uint, Asker>());

    internal Dictionary<string, NetworkNames> Networks { get; }
    internal Dictionary<uint, Asker> Sources { get; }

    internal NameSnapshot(Dictionary<string, NetworkNames> networks, Dictionary<uint, Asker> sources)
    {
        Networks = networks;
        Sources = sources;
    }

    /// <summary>Names over every network (a name on two networks counts twice).</summary>
    public int NameCount => Networks.Values.Sum(n => n.Count);

    /// <summary>The container behind <paramref name="source"/> (host byte order), or null.</summary>
    public Asker? AskerOf(uint source) => Sources.GetValueOrDefault(source);

    public LookupStatus Lookup(uint source, ReadOnlySpan<char> name, Span<uint> into, out int count) =>
        Lookup(source, name, into, out count, out _);

    /// <summary>
    /// The addresses of <paramref name="name"/> (any case) on every network of the container that owns
    /// <paramref name="source"/> (host byte order): the union, without duplicates, in network order then insertion
    /// order, written into <paramref name="into"/> up to its length. The container's own hosts entries come first and
    /// alone: its /etc/hosts holds them too, and glibc and musl read that file before asking DNS, so a client that asks
    /// DNS directly gets what getaddrinfo in the same container gets. Allocates nothing.
    /// </summary>
    public LookupStatus Lookup(uint source, ReadOnlySpan<char> name, Span<uint> into, out int count, out Asker? asker)
    {
        count = 0;
        if (!Sources.TryGetValue(source, out asker)) return LookupStatus.UnknownSource;
        if (asker.Hosts.TryGet(name, out var hosts))
        {
            Append(hosts, into, ref count);
            return LookupStatus.Found;
        }
        foreach (var id in asker.NetworkIds)
            if (Networks.TryGetValue(id, out var network) && network.TryGet(name, out var addresses)) Append(addresses, into, ref count);
        return count == 0 ? LookupStatus.NotFound : LookupStatus.Found;
    }

    private static void Append(uint[] addresses, Span<uint> into, ref int count)
    {
        foreach (var address in addresses)
        {
            if (count == into.Length) return;
            if (into[..count].Contains(address)) continue;
            into[count++] = address;
        }
    }
}

/// <summary>One network's names → addresses. The dictionary and its arrays are never written after the instance is
/// published; an edit copies them (<see cref="NameTableEdit"/>).</summary>
internal sealed class NetworkNames
{
    private readonly Dictionary<string, uint[]> _names;
    private readonly Dictionary<string, uint[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <summary>Takes ownership of <paramref name="names"/> (compared with <see cref="StringComparer.OrdinalIgnoreCase"/>).</summary>
    internal NetworkNames(Dictionary<string, uint[]> names)
    {
        _names = names;
        // Looks a name up by the span parsed from the packet: no string per query (.NET 9 alternate lookup).
        _lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    internal int Count => _names.Count;

    internal bool TryGet(ReadOnlySpan<char> name, out uint[] addresses) => _lookup.TryGetValue(name, out addresses!);

    internal static Dictionary<string, uint[]> NewDictionary() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A private, writable copy of the names for an edit (the arrays are shared: an edit replaces them, never writes them).</summary>
    internal Dictionary<string, uint[]> CopyNames() => new(_names, _names.Comparer);
}
