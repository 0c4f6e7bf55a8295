using System.Net;

namespace MyDocker.Resolver.Names;

/// <summary>
/// The changes of one <see cref="NameTable.Edit"/>: applied to private copies of what they touch (each network's names
/// copied once per edit, however many of its names change), published together as one snapshot when the edit ends.
/// A container's names, aliases and source addresses therefore appear, and go, in one step, and a change that throws
/// publishes nothing of its edit. Valid only inside the edit that handed it out; not thread-safe.
/// </summary>
public sealed class NameTableEdit
{
    private readonly NameSnapshot _base;
    private readonly Dictionary<string, Dictionary<string, uint[]>?> _touched = new(StringComparer.Ordinal);
    private Dictionary<uint, Asker>? _sources;
    private bool _closed;

    internal NameTableEdit(NameSnapshot current) => _base = current;

    /// <summary>Adds <paramref name="address"/> to <paramref name="name"/> on <paramref name="network"/>; a pair
    /// already there is left as it is (the daemon may repeat a change after a reconnect).</summary>
    public void AddName(string network, string name, IPAddress address)
    {
        Open();
        ResolverName.ValidateNetwork(network);
        ResolverName.Validate(name);
        var value = ResolverName.ToHostOrder(address);
        if (PublishedUntouched(network, name, value)) return;
        var names = Names(network, create: true)!;
        var old = names.GetValueOrDefault(name);
        if (old is null) names[name] = [value];
        else if (!old.Contains(value)) names[name] = [.. old, value];
    }

    /// <summary>Removes <paramref name="address"/> from <paramref name="name"/>; the name goes with its last address.
    /// A pair not there is no error.</summary>
    public void RemoveName(string network, string name, IPAddress address)
    {
        Open();
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(name);
        var value = ResolverName.ToHostOrder(address);
        if (!_touched.ContainsKey(network) && !PublishedUntouched(network, name, value)) return;
        var names = Names(network, create: false);
        if (names is null || !names.TryGetValue(name, out var old) || !old.Contains(value)) return;
        var left = Array.FindAll(old, a => a != value);
        if (left.Length == 0) names.Remove(name); else names[name] = left;
    }

    /// <summary>Forgets every name of <paramref name="network"/> (network rm); sources naming it keep their other networks.</summary>
    public void RemoveNetwork(string network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Open();
        _touched[network] = null;
    }

    /// <summary>Says that <paramref name="address"/> belongs to a container on <paramref name="networks"/> (all of them:
    /// a connect or disconnect sends the new list for each of the container's addresses).</summary>
    public void SetSource(IPAddress address, params IReadOnlyList<string> networks) =>
        SetSource(address, Asker.OnNetworks(address, networks));

    /// <summary>Says that <paramref name="address"/> belongs to <paramref name="asker"/> (replacing what it said before).</summary>
    public void SetSource(IPAddress address, Asker asker)
    {
        ArgumentNullException.ThrowIfNull(asker);
        var value = ResolverName.ToHostOrder(address);
        Sources()[value] = asker;
    }

    public void RemoveSource(IPAddress address)
    {
        Open();
        var value = ResolverName.ToHostOrder(address);
        if (_sources is null && !_base.Sources.ContainsKey(value)) return;
        Sources().Remove(value);
    }

    /// <summary>The snapshot with every change, or the one the edit started from when nothing was touched.</summary>
    internal NameSnapshot Close()
    {
        Open();
        _closed = true;
        if (_touched.Count == 0 && _sources is null) return _base;
        var networks = _base.Networks;
        if (_touched.Count > 0)
        {
            networks = new Dictionary<string, NetworkNames>(_base.Networks, StringComparer.Ordinal);
            foreach (var (id, names) in _touched)
            {
                if (names is null || names.Count == 0) networks.Remove(id);
                else networks[id] = new NetworkNames(names);
            }
        }
        return new NameSnapshot(networks, _sources ?? _base.Sources);
    }

    /// <summary>This edit's own copy of a network's names (copied from the snapshot on first touch); null when the
    /// network has none and <paramref name="create"/> is false.</summary>
    private Dictionary<string, uint[]>? Names(string network, bool create)
    {
        Open();
        if (_touched.TryGetValue(network, out var names))
        {
            // null: removed earlier in this edit; only an add brings it back, empty.
            if (names is null && create) _touched[network] = names = NetworkNames.NewDictionary();
            return names;
        }
        if (_base.Networks.TryGetValue(network, out var published)) return _touched[network] = published.CopyNames();
        return create ? _touched[network] = NetworkNames.NewDictionary() : null;
    }

    /// <summary>True when the published snapshot already says <paramref name="name"/> has <paramref name="address"/> on
    /// <paramref name="network"/> and this edit has not touched the network: a repeated change then copies nothing.</summary>
    private bool PublishedUntouched(string network, string name, uint address) =>
        !_touched.ContainsKey(network) && _base.Networks.TryGetValue(network, out var published)
        && published.TryGet(name, out var addresses) && addresses.Contains(address);

    private Dictionary<uint, Asker> Sources()
    {
        Open();
        return _sources ??= new Dictionary<uint, Asker>(_base.Sources);
    }

    private void Open()
    {
        if (_closed) throw new InvalidOperationException("this name table edit has ended; make changes inside NameTable.Edit");
    }
}
