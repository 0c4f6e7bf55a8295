using System.Collections.Immutable;
using System.Net;
using MyDocker.Resolver.Names;

namespace MyDocker.Resolver.Records;

/// <summary>
/// The resolver's records keyed by container, on top of the <see cref="NameTable"/> the query path reads. Every change
/// replaces what one container had in one <see cref="NameTable.Edit"/>, so its names, its sources, its hosts and its
/// upstreams appear and go together; <see cref="Replace"/> builds a whole table outside the lock and swaps it in.
/// Every change is idempotent, is visible to every lookup that starts after it returns, and is refused whole (an
/// exception, nothing published) when it cannot be held. Writers are serialized; readers never wait.
/// </summary>
public sealed class ContainerTable
{
    private readonly Lock _writers = new();
    private ImmutableDictionary<string, ContainerRecord> _records = ImmutableDictionary.Create<string, ContainerRecord>(StringComparer.Ordinal);

    /// <param name="changed">Called after every published change, on the writer's thread, inside the writers' lock:
    /// it must return at once (the snapshot writer only sets a flag).</param>
    public ContainerTable(Action? changed = null) => Changed = changed;

    public NameTable Names { get; } = new();

    private Action? Changed { get; }

    /// <summary>The records as of now; immutable, so a reader (the snapshot writer) may hold it as long as it likes.</summary>
    public ImmutableDictionary<string, ContainerRecord> Records => Volatile.Read(ref _records);

    /// <summary>Replaces everything known about <paramref name="record"/>'s container.</summary>
    /// <exception cref="ArgumentException">An address of the record is another container's.</exception>
    public void Put(ContainerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_writers)
        {
            var current = Names.Current;
            foreach (var endpoint in record.Endpoints)
                if (current.AskerOf(ResolverName.ToHostOrder(endpoint.Ip)) is { Container: { } owner } && owner != record.Id)
                    throw Taken(record, endpoint, owner);
            var old = _records.GetValueOrDefault(record.Id);
            Names.Edit(edit =>
            {
                if (old is not null) Unregister(edit, old);
                Register(record, edit.AddName, edit.SetSource);
            });
            Volatile.Write(ref _records, _records.SetItem(record.Id, record));
            Changed?.Invoke();
        }
    }

    /// <summary>Forgets <paramref name="container"/>; an unknown one is no error.</summary>
    public void Remove(string container)
    {
        ContainerRecord.ValidateId(container);
        lock (_writers)
        {
            if (!_records.TryGetValue(container, out var old)) return;
            Names.Edit(edit => Unregister(edit, old));
            Volatile.Write(ref _records, _records.Remove(container));
            Changed?.Invoke();
        }
    }

    /// <summary>The whole table: <paramref name="records"/> and nothing else. Built on the caller's thread; only the
    /// swap takes the lock.</summary>
    /// <exception cref="ArgumentException">A container listed twice, or an address held by two containers.</exception>
    public void Replace(IEnumerable<ContainerRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var byId = ImmutableDictionary.CreateBuilder<string, ContainerRecord>(StringComparer.Ordinal);
        var owners = new Dictionary<IPAddress, string>();
        var builder = new NameSnapshotBuilder();
        foreach (var record in records)
        {
            if (!byId.TryAdd(record.Id, record))
                throw new ArgumentException($"container {record.Id} is listed twice; list each container once", nameof(records));
            foreach (var endpoint in record.Endpoints)
                if (!owners.TryAdd(endpoint.Ip, record.Id)) throw Taken(record, endpoint, owners[endpoint.Ip]);
            Register(record, (n, name, ip) => builder.AddName(n, name, ip), (ip, asker) => builder.SetSource(ip, asker));
        }
        var snapshot = builder.Build();
        var next = byId.ToImmutable();
        lock (_writers)
        {
            Names.Replace(snapshot);
            Volatile.Write(ref _records, next);
            Changed?.Invoke();
        }
    }

    private static void Register(ContainerRecord record, Action<string, string, IPAddress> addName, Action<IPAddress, Asker> setSource)
    {
        if (record.ToAsker() is not { } asker) return;
        foreach (var endpoint in record.Endpoints)
        {
            foreach (var name in endpoint.Names) addName(endpoint.Network, name, endpoint.Ip);
            setSource(endpoint.Ip, asker);
        }
    }

    private static void Unregister(NameTableEdit edit, ContainerRecord record)
    {
        foreach (var endpoint in record.Endpoints)
        {
            foreach (var name in endpoint.Names) edit.RemoveName(endpoint.Network, name, endpoint.Ip);
            edit.RemoveSource(endpoint.Ip);
        }
    }

    private static ArgumentException Taken(ContainerRecord record, ContainerEndpoint endpoint, string owner) =>
        new($"address {endpoint.Ip} of container {record.Id} on network {endpoint.Network} is container {owner}'s; remove {owner} first", "endpoints");
}
