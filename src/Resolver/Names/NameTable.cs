using System.Net;

namespace MyDocker.Resolver.Names;

/// <summary>
/// The resolver's live records: one current <see cref="NameSnapshot"/>, swapped whole on every change.
/// Threading: readers take <see cref="Current"/> (a volatile read) and are never blocked; writers are serialized by
/// one lock among themselves, build the next snapshot from the current one (<see cref="Edit"/>: copying only the
/// networks they change and the small top-level maps) and publish it with a volatile write. A change is visible to
/// every lookup that starts after the method returns, which is what lets the daemon's acknowledgement mean
/// "answered from now on".
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

    /// <summary>
    /// Applies <paramref name="changes"/> as one step: readers see all of them or none. If a change throws (bad input),
    /// nothing of the edit is published and the exception goes to the caller. Writers wait for each other; readers never wait.
    /// </summary>
    public void Edit(Action<NameTableEdit> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_writers)
        {
            var edit = new NameTableEdit(_current);
            try
            {
                changes(edit);
            }
            catch
            {
                edit.Close(); // the edit may not be used after it failed either
                throw;
            }
            Volatile.Write(ref _current, edit.Close());
        }
    }

    public void AddName(string network, string name, IPAddress address) => Edit(e => e.AddName(network, name, address));

    public void RemoveName(string network, string name, IPAddress address) => Edit(e => e.RemoveName(network, name, address));

    public void RemoveNetwork(string network) => Edit(e => e.RemoveNetwork(network));

    public void SetSource(IPAddress address, params IReadOnlyList<string> networks) => Edit(e => e.SetSource(address, networks));

    public void RemoveSource(IPAddress address) => Edit(e => e.RemoveSource(address));

    internal static string[] CheckedNetworks(IPAddress address, IReadOnlyList<string> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        if (networks.Count == 0)
            throw new ArgumentException($"source {address} needs at least one network; remove the source instead", nameof(networks));
        foreach (var network in networks) ResolverName.ValidateNetwork(network);
        return [.. networks.Distinct(StringComparer.Ordinal)];
    }
}
