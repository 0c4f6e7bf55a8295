using System.Net;

namespace MyDocker.Resolver.Names;

/// <summary>
/// The resolver's live records: one current <see cref="NameSnapshot"/>, swapped whole on every change.
/// Threading: readers take <see cref="Current"/> (a volatile read) and are never blocked; writers are serialized by
/// one lock among themselves, build the next snapshot from the current one (copying only the network they change and
/// the small top-level maps) and publish it with a volatile write. A change is visible to every lookup that starts
/// after the method returns, which is what lets the daemon's acknowledgement mean "answered from now on".
/// Every change is idempotent (the daemon may repeat it after a reconnect).
/// </summary>
public sealed class NameTable
{
    private readonly Lock _writers = new();
    private NameSnapshot _current = NameSnapshot.Empty;

    public NameSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Swaps in a whole snapshot built outside any lock (<see cref="NameSnapshotBuilder"/>).</summary>
    public void Replace(NameSnapshot next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_writers) Volatile.Write(ref _current, next);
    }

    public void AddName(string network, string name, IPAddress address)
    {
        ResolverName.ValidateNetwork(network);
        ResolverName.Validate(name);
        var value = ResolverName.ToHostOrder(address);
        lock (_writers)
        {
            var current = _current;
            var old = current.Networks.GetValueOrDefault(network) ?? new NetworkNames(NetworkNames.NewDictionary());
            var changed = old.With(name, value);
            if (ReferenceEquals(changed, old)) return;
            Publish(WithNetwork(current.Networks, network, changed), current.Sources);
        }
    }

    public void RemoveName(string network, string name, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(name);
        var value = ResolverName.ToHostOrder(address);
        lock (_writers)
        {
            var current = _current;
            if (!current.Networks.TryGetValue(network, out var old)) return;
            var changed = old.Without(name, value);
            if (ReferenceEquals(changed, old)) return;
            Publish(WithNetwork(current.Networks, network, changed), current.Sources);
        }
    }

    /// <summary>Forgets every name of <paramref name="network"/> (network rm). Sources naming it keep their other networks.</summary>
    public void RemoveNetwork(string network)
    {
        lock (_writers)
        {
            var current = _current;
            if (!current.Networks.ContainsKey(network)) return;
            var networks = new Dictionary<string, NetworkNames>(current.Networks, StringComparer.Ordinal);
            networks.Remove(network);
            Publish(networks, current.Sources);
        }
    }

    /// <summary>Says that <paramref name="address"/> belongs to a container on <paramref name="networks"/> (all of
    /// them: a connect or disconnect sends the new list for each of the container's addresses).</summary>
    public void SetSource(IPAddress address, params IReadOnlyList<string> networks)
    {
        var value = ResolverName.ToHostOrder(address);
        var checkedNetworks = CheckedNetworks(address, networks);
        lock (_writers)
        {
            var current = _current;
            var sources = new Dictionary<uint, string[]>(current.Sources) { [value] = checkedNetworks };
            Publish(current.Networks, sources);
        }
    }

    public void RemoveSource(IPAddress address)
    {
        var value = ResolverName.ToHostOrder(address);
        lock (_writers)
        {
            var current = _current;
            if (!current.Sources.ContainsKey(value)) return;
            var sources = new Dictionary<uint, string[]>(current.Sources);
            sources.Remove(value);
            Publish(current.Networks, sources);
        }
    }

    internal static string[] CheckedNetworks(IPAddress address, IReadOnlyList<string> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        if (networks.Count == 0)
            throw new ArgumentException($"source {address} needs at least one network; remove the source instead", nameof(networks));
        foreach (var network in networks) ResolverName.ValidateNetwork(network);
        return [.. networks.Distinct(StringComparer.Ordinal)];
    }

    private static Dictionary<string, NetworkNames> WithNetwork(Dictionary<string, NetworkNames> networks, string id, NetworkNames names)
    {
        var copy = new Dictionary<string, NetworkNames>(networks, StringComparer.Ordinal);
        if (names.Count == 0) copy.Remove(id); else copy[id] = names;
        return copy;
    }

    private void Publish(Dictionary<string, NetworkNames> networks, Dictionary<uint, string[]> sources) =>
        Volatile.Write(ref _current, new NameSnapshot(networks, sources));
}
