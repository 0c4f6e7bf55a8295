using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>
/// <see cref="IFirewall"/> on nftables: one engine-owned table, changed only in atomic batches through an
/// <see cref="INftExecutor"/> (bound to the namespace the firewall manages).
/// <para>Networks are set elements, never rules: the rules are written once by <see cref="Rebuild"/> and
/// look bridges up in sets (a hash lookup per packet however many networks exist), so adding or removing a network
/// changes elements only and no stale rule can shadow a live one. See <see cref="NftRuleset"/> for the table.</para>
/// <para>The instance remembers what it was asked for (the last <see cref="Rebuild"/> and every change since), so a
/// table someone flushed can be put back whole: by the first change that finds it missing, or by <see cref="Restore"/>.</para>
/// <para>Thread-safe: one lock serialises this instance's read-check-write sequences (the missing-table fallbacks).
/// The engine is the only writer of the table.</para>
/// </summary>
/// <param name="commits">Every commit goes through it (so the firewall watch knows them for ours) and it reads the ruleset
/// generation, so <see cref="Restore"/> lists the table only when some transaction happened since its last check; null:
/// commits are not tracked and Restore always lists the table.</param>
/// <param name="dropHostRouting">Whether the table must hold the host-routing drop (Networks.HostForwarding.OwnedByEngine),
/// asked at every rebuild and check; null: never.</param>
public sealed class NftFirewall(INftExecutor nft, NftCommits? commits = null, Func<bool>? dropHostRouting = null) : IFirewall
{
    private bool DropsHostRouting => dropHostRouting?.Invoke() == true;

    /// <summary>The generation at which the kernel was last seen to match what this instance holds.</summary>
    private uint? _verified;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FirewallNetwork> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, System.Net.IPAddress?, int), PortMapping> _ports = new();

    public void Rebuild(IReadOnlyCollection<FirewallNetwork> networks, IReadOnlyCollection<PortMapping>? ports = null)
    {
        ArgumentNullException.ThrowIfNull(networks);
        ports ??= [];
        string batch = NftRuleset.Rebuild(networks, ports, DropsHostRouting);
        lock (_gate)
        {
            try { RunTracked(batch, replacesAll: true); }
            catch (NftException e) { throw Failed("Rebuilding the engine firewall table", e); }
            _networks.Clear();
            foreach (var n in networks) _networks[n.Bridge] = n;
            _ports.Clear();
            foreach (var p in ports) _ports[p.Key] = p;
        }
    }

    public void Remove()
    {
        lock (_gate)
        {
            _verified = null;
            Apply(NftRuleset.RemoveTable, "Removing the engine firewall table");
            _networks.Clear();
            _ports.Clear();
        }
    }

    public void AddPorts(IReadOnlyCollection<PortMapping> ports)
    {
        if (ports.Count == 0) return;
        string batch = NftRuleset.AddPorts(ports);
        lock (_gate)
        {
            try { RunTracked(batch); }
            catch (NftException first)
            {
                // EEXIST: a key the kernel holds with another target (left by a crash between two steps). Replace those
                // keys in one batch, so the old target stops receiving at the very moment the new one starts.
                if (!TablePresent()) RebuildFromModel(extraPorts: ports);
                else
                {
                    var wanted = ports.Select(p => p.Key).ToHashSet();
                    var held = ReadLocked().Ports.Where(p => wanted.Contains(p.Key)).ToList();
                    if (held.Count == 0) throw Failed($"Publishing {Describe(ports)}", first);
                    Apply(NftRuleset.AddPorts(ports, replacing: held), $"Publishing {Describe(ports)}");
                }
            }
            foreach (var p in ports) _ports[p.Key] = p;
        }
    }

    public void RemovePorts(IReadOnlyCollection<PortMapping> ports)
    {
        if (ports.Count == 0) return;
        lock (_gate)
        {
            foreach (var p in ports) _ports.Remove(p.Key);
            try { RunTracked(NftRuleset.RemovePorts(ports)); }
            catch (NftException first)
            {
                // Some key is not there (nft 1.0.6 has no idempotent delete): delete the ones the kernel holds.
                if (!TablePresent()) return;
                var wanted = ports.Select(p => p.Key).ToHashSet();
                var held = ReadLocked().Ports.Where(p => wanted.Contains(p.Key)).ToList();
                if (held.Count == 0) return;
                try { Commit(NftRuleset.RemovePorts(held)); }
                catch (NftException) { throw Failed($"Withdrawing {Describe(ports)}", first); }
            }
        }
    }

    public string? Restore()
    {
        lock (_gate)
        {
            if (_networks.Count == 0 && _ports.Count == 0) return null;
            // Listing the table costs ~140 ms with 10,000 published ports (bench/nft-map-scale.sh); the generation, read
            // before the listing so a change made during it is seen next time, says whether anything could have changed
            // since the last match.
            uint? now = commits?.Generation();
            if (now is not null && now == _verified) return null;
            var have = ReadLocked();
            var want = _networks.Values.ToList();
            bool same = have.Matches(want, _ports.Values, DropsHostRouting);
            if (same)
            {
                _verified = now;
                return null;
            }
            _verified = null;
            RebuildFromModel(extraPorts: []);
            return have.TableExists
                ? $"nftables table rebuilt: it differed from the {want.Count} network(s) and {_ports.Count} published port(s) the engine holds"
                : $"nftables table restored with {want.Count} network(s) and {_ports.Count} published port(s): it was missing or incomplete";
        }
    }

    /// <summary>
    /// Runs one of our batches (caller holds the gate). When the kernel was seen to match the model at generation
    /// <c>_verified</c> (or the batch replaces the whole table) and this batch is the only transaction since, the kernel
    /// still matches the model, and <see cref="Restore"/> need not list the table: nf_tables_commit bumps the generation
    /// once per committed batch, so "exactly one more" means nobody else committed in between (<see cref="NftCommits"/>).
    /// </summary>
    private void RunTracked(string batch, bool replacesAll = false)
    {
        uint? verified = _verified;
        _verified = null;
        if (Commit(batch) is { } produced && (replacesAll || verified == unchecked(produced - 1))) _verified = produced;
    }

    /// <summary>Every commit of ours goes through <see cref="NftCommits"/>; returns the generation it produced when it
    /// was the only transaction meanwhile.</summary>
    private uint? Commit(string batch)
    {
        if (commits is null)
        {
            nft.Run(batch);
            return null;
        }
        return commits.Run(() => nft.Run(batch));
    }

    /// <summary>Caller holds the gate.</summary>
    private void RebuildFromModel(IReadOnlyCollection<PortMapping> extraPorts)
    {
        var ports = new Dictionary<(string, System.Net.IPAddress?, int), PortMapping>(_ports);
        foreach (var p in extraPorts) ports[p.Key] = p;
        string batch = NftRuleset.Rebuild(_networks.Values.ToList(), ports.Values.ToList(), DropsHostRouting);
        try { RunTracked(batch, replacesAll: true); }
        catch (NftException e) { throw Failed("Restoring the engine firewall table", e); }
    }

    private static string Describe(IReadOnlyCollection<PortMapping> ports) =>
        ports.Count == 1 ? $"port {ports.First()}" : $"{ports.Count} ports ({ports.First()}, ...)";

    public void AddNetwork(FirewallNetwork n)
    {
        string batch = NftRuleset.AddNetwork(n);
        lock (_gate)
        {
            try
            {
                RunTracked(batch);
            }
            catch (NftException e)
            {
                // The usual cause is a missing table (first network after a flush or a reboot): build it with everything
                // this instance knows plus this network.
                if (TablePresent())
                    throw Failed($"Adding network bridge '{n.Bridge}' ({n.Subnet}) to the firewall", e);
                _networks[n.Bridge] = n;
                RebuildFromModel(extraPorts: []);
            }
            _networks[n.Bridge] = n;
        }
    }

    public void DropHostRouting()
    {
        lock (_gate)
        {
            // No table: it is built with the drop (the switch says so by now), by the next change or restore.
            if (!TablePresent()) return;
            try { RunTracked(NftRuleset.AddHostRoutingDrop()); }
            catch (NftException e) { throw Failed("Adding the drop of routing between non-engine interfaces", e); }
        }
    }

    public void RemoveNetwork(FirewallNetwork n)
    {
        string batch = NftRuleset.RemoveNetwork(n);
        lock (_gate)
        {
            _networks.Remove(n.Bridge);
            try
            {
                RunTracked(batch);
            }
            catch (NftException e)
            {
                // No table means no elements: already gone counts as success (teardown is idempotent).
                if (TablePresent())
                    throw Failed($"Removing network bridge '{n.Bridge}' ({n.Subnet}) from the firewall", e);
            }
        }
    }

    public FirewallState Read()
    {
        lock (_gate) return ReadLocked();
    }

    private FirewallState ReadLocked()
    {
        string? json = ListTable(json: true);
        return json is null ? FirewallState.Missing : NftStateParser.Parse(json);
    }

    public IReadOnlyList<string> Bridges()
    {
        lock (_gate) return [.. _networks.Keys];
    }

    /// <summary>The engine table's rules as nft prints them (for the plumbing view), without the maps' elements, which
    /// <see cref="Read"/> has (bench/nft-map-scale.sh, nft 1.0.6 at 10,000 map elements: 121 ms for a full text listing,
    /// 58 ms for a terse one); "" when the table does not exist.</summary>
    public string ListRulesetText() => ListTable(json: false, terse: true) ?? "";

    private string? ListTable(bool json, bool terse = false)
    {
        lock (_gate)
        {
            try
            {
                return nft.Run(NftRuleset.ListTable, json, terse);
            }
            catch (NftException e)
            {
                if (!TablePresent()) return null;
                throw Failed("Listing the engine firewall table", e);
            }
        }
    }

    /// <summary>Asks for table names only (cheap, and no string matching on nft's error text).</summary>
    private bool TablePresent()
    {
        try
        {
            return NftStateParser.ListsTable(nft.Run(NftRuleset.ListTables, json: true));
        }
        catch (NftException e)
        {
            throw Failed("Listing nftables tables", e);
        }
    }

    private void Apply(string batch, string what)
    {
        _verified = null;
        try { Commit(batch); }
        catch (NftException e) { throw Failed(what, e); }
    }

    private static EngineException Failed(string what, NftException e) =>
        new(ErrorKind.Internal,
            $"{what} failed; nftables rejected the whole batch and nothing changed: {e.Message}. " +
            $"Check that the nf_tables kernel module is available, then run 'mydocker system reconcile'.", e);
}
