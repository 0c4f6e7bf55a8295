using System.Net;

namespace MyDocker.Resolver.Names;

/// <summary>
/// Builds a whole <see cref="NameSnapshot"/> (the daemon's <c>replace</c> at its start, a snapshot file at the
/// resolver's start) on the caller's thread, outside any lock; <see cref="NameTable.Replace"/> then swaps it in at once.
/// Not thread-safe; single use: <see cref="Build"/> hands its dictionaries over.
/// </summary>
public sealed class NameSnapshotBuilder
{
    private Dictionary<string, Dictionary<string, uint[]>>? _networks = new(StringComparer.Ordinal);
    private Dictionary<uint, Asker>? _sources = [];

    /// <summary>Adds <paramref name="address"/> to <paramref name="name"/> on <paramref name="network"/>; adding a pair
    /// twice is the same as once (a refeed may repeat records).</summary>
    public NameSnapshotBuilder AddName(string network, string name, IPAddress address)
    {
        var networks = Open(out _);
        ResolverName.ValidateNetwork(network);
        ResolverName.Validate(name);
        var value = ResolverName.ToHostOrder(address);
        if (!networks.TryGetValue(network, out var names)) networks[network] = names = NetworkNames.NewDictionary();
        var old = names.GetValueOrDefault(name);
        if (old is null) names[name] = [value];
        else if (!old.Contains(value)) names[name] = [.. old, value];
        return this;
    }

    /// <summary>Says that <paramref name="address"/> belongs to a container on <paramref name="networks"/>; a second
    /// call for the same address replaces the first.</summary>
    public NameSnapshotBuilder SetSource(IPAddress address, params IReadOnlyList<string> networks) =>
        SetSource(address, Asker.OnNetworks(address, networks));

    /// <summary>Says that <paramref name="address"/> belongs to <paramref name="asker"/>; a second call for the same
    /// address replaces the first.</summary>
    public NameSnapshotBuilder SetSource(IPAddress address, Asker asker)
    {
        ArgumentNullException.ThrowIfNull(asker);
        Open(out var sources);
        sources[ResolverName.ToHostOrder(address)] = asker;
        return this;
    }

    public NameSnapshot Build()
    {
        var networks = Open(out var sources);
        _networks = null;
        _sources = null;
        var built = new Dictionary<string, NetworkNames>(networks.Count, StringComparer.Ordinal);
        foreach (var (id, names) in networks) built[id] = new NetworkNames(names);
        return new NameSnapshot(built, sources);
    }

    private Dictionary<string, Dictionary<string, uint[]>> Open(out Dictionary<uint, Asker> sources)
    {
        if (_networks is null || _sources is null)
            throw new InvalidOperationException("this snapshot builder has built its snapshot already; start a new one");
        sources = _sources;
        return _networks;
    }
}
