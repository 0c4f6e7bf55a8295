using MyDocker.Engine.Kernel.Nftables;

namespace MyDocker.Engine.Networks.Firewall;

/// <summary>
/// <see cref="IFirewall"/> on nftables: one engine-owned table, changed only in atomic batches through an
/// <see cref="INftExecutor"/> (bound to the namespace the firewall manages).
/// <para>Networks are set elements, never rules: the rules are written once by <see cref="Rebuild"/> and
/// look bridges up in sets (a hash lookup per packet however many networks exist), so adding or removing a network
/// changes elements only and no stale rule can shadow a live one. See <see cref="NftRuleset"/> for the table.</para>
/// <para>Thread-safe: one lock serialises this instance's read-check-write sequences (the missing-table fallbacks).
/// The engine is the only writer of the table.</para>
/// </summary>
public sealed class NftFirewall(INftExecutor nft) : IFirewall
{
    private readonly Lock _gate = new();

    public void Rebuild(IReadOnlyCollection<FirewallNetwork> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        string batch = NftRuleset.Rebuild(networks);
        lock (_gate)
            Apply(batch, "Rebuilding the engine firewall table");
    }

    public void Remove()
    {
        lock (_gate)
            Apply(NftRuleset.RemoveTable, "Removing the engine firewall table");
    }

    public void AddNetwork(FirewallNetwork n)
    {
        string batch = NftRuleset.AddNetwork(n);
        lock (_gate)
        {
            try
            {
                nft.Run(batch);
            }
            catch (NftException e)
            {
                // The usual cause is a missing table (first network after a flush or a reboot). A missing table holds
                // no other network's elements, so building it with just this network loses nothing; the reconciler's
                // Rebuild adds the others when they exist.
                if (TablePresent())
                    throw Failed($"Adding network bridge '{n.Bridge}' ({n.Subnet}) to the firewall", e);
                Apply(NftRuleset.Rebuild([n]), $"Creating the firewall table for network bridge '{n.Bridge}'");
            }
        }
    }

    public void RemoveNetwork(FirewallNetwork n)
    {
        string batch = NftRuleset.RemoveNetwork(n);
        lock (_gate)
        {
            try
            {
                nft.Run(batch);
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
        string? json = ListTable(json: true);
        return json is null ? FirewallState.Missing : NftStateParser.Parse(json);
    }

    /// <summary>The engine table as nft prints it (for the plumbing view); "" when the table does not exist.</summary>
    public string ListRulesetText() => ListTable(json: false) ?? "";

    private string? ListTable(bool json)
    {
        lock (_gate)
        {
            try
            {
                return nft.Run(NftRuleset.ListTable, json);
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
        try { nft.Run(batch); }
        catch (NftException e) { throw Failed(what, e); }
    }

    private static EngineException Failed(string what, NftException e) =>
        new(ErrorKind.Internal,
            $"{what} failed; nftables rejected the whole batch and nothing changed: {e.Message}. " +
            $"Check that the nf_tables kernel module is available, then run 'mydocker system reconcile'.", e);
}
