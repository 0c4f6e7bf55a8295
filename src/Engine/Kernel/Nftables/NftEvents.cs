using System.Buffers.Binary;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Nftables.NftNetlink;

namespace MyDocker.Engine.Kernel.Nftables;

/// <summary>A table as nft names it: family ("ip", "inet", ...) and name.</summary>
public readonly record struct NftTableName(string Family, string Name);

/// <summary>
/// One committed nftables transaction as the kernel announced it: every object notification of the transaction
/// (tables, chains, rules, sets, elements, ...) names its table, and NFT_MSG_NEWGEN ends it with the new generation and
/// the pid and command name of the process that committed it (nf_tables_gen_notify: NFTA_GEN_ID, NFTA_GEN_PROC_PID,
/// NFTA_GEN_PROC_NAME). <paramref name="ProcessId"/> is the committing thread's id in the initial pid namespace.
/// </summary>
public sealed record NftTransaction(uint Generation, int ProcessId, string ProcessName, IReadOnlySet<NftTableName> Tables)
{
    public bool Touches(string family, string table) => Tables.Contains(new NftTableName(family, table));
}

/// <summary>What the kernel reported since the last read: complete transactions, and whether notifications were
/// lost (the receive queue overflowed), in which case the state must be read again whole.</summary>
public sealed record NftChanges(IReadOnlyList<NftTransaction> Transactions, bool Lost)
{
    public static NftChanges None { get; } = new([], false);
}

/// <summary>A subscription to the nftables transactions of one network namespace.</summary>
public interface INftEvents : IDisposable
{
    /// <summary>Waits up to <paramref name="timeout"/> for notifications and returns the transactions completed since the
    /// last call (<see cref="NftChanges.None"/> when the wait timed out or <see cref="Wake"/> ended it).</summary>
    NftChanges Next(TimeSpan timeout);

    /// <summary>Ends a <see cref="Next"/> in progress at once (from any thread).</summary>
    void Wake();
}

/// <summary>
/// <see cref="INftEvents"/> on a NETLINK_NETFILTER socket joined to NFNLGRP_NFTABLES, the group `nft monitor` reads: the
/// kernel multicasts every committed change there, whoever made it (iptables-nft included: its rules are nftables
/// objects). Opened in the network namespace of the calling thread.
/// </summary>
public sealed class NftEvents : INftEvents
{
    /// <summary>linux/netfilter/nfnetlink.h: enum nfnetlink_groups, NFNLGRP_NFTABLES.</summary>
    private const int NFNLGRP_NFTABLES = 7;
    /// <summary>Room for the notifications of a few large transactions (a flush of a table with thousands of rules sends
    /// one message per rule); beyond it the kernel drops and we re-read everything (ENOBUFS).</summary>
    public const int DefaultReceiveBuffer = 4 << 20;

    private readonly NetlinkSubscription _subscription;
    private readonly NftNotificationParser _parser = new();

    private NftEvents(NetlinkSubscription subscription) => _subscription = subscription;

    public static NftEvents Open(int receiveBufferBytes = DefaultReceiveBuffer) =>
        new(NetlinkSubscription.Open(Libc.NETLINK_NETFILTER, [NFNLGRP_NFTABLES], receiveBufferBytes));

    public NftChanges Next(TimeSpan timeout)
    {
        if (!_subscription.Wait(timeout)) return NftChanges.None;
        var done = new List<NftTransaction>();
        bool complete = _subscription.Drain(m => { if (_parser.Read(m) is { } t) done.Add(t); });
        // A loss leaves the transaction in progress without some of its notifications: start afresh.
        if (!complete) _parser.Reset();
        return new NftChanges(done, Lost: !complete);
    }

    public void Wake() => _subscription.Wake();

    public void Dispose() => _subscription.Dispose();
}

/// <summary>Collects the tables a transaction touches until its NFT_MSG_NEWGEN (pure: unit-tested on built messages).</summary>
internal sealed class NftNotificationParser
{
    /// <summary>NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE, NFTA_SET_ELEM_LIST_TABLE,
    /// NFTA_OBJ_TABLE and NFTA_FLOWTABLE_TABLE are all attribute 1 (linux/netfilter/nf_tables.h).</summary>
    private const ushort TableAttribute = 1;
    private HashSet<NftTableName> _tables = [];

    /// <summary>Forgets the transaction in progress.</summary>
    public void Reset() => _tables = [];

    /// <summary>Takes one notification; returns the transaction it completes (its NEWGEN), else null.</summary>
    public NftTransaction? Read(NetlinkMessage message)
    {
        if (message.Type >> 8 != NFNL_SUBSYS_NFTABLES || message.Payload.Length < 4) return null;
        int type = message.Type & 0xff;
        // struct nfgenmsg { u8 nfgen_family; u8 version; __be16 res_id; }, then the attributes.
        byte family = message.Payload[0];
        var attributes = new NetlinkAttributeReader(message.Payload[4..]);
        if (type == NFT_MSG_NEWGEN)
        {
            uint generation = 0;
            int pid = 0;
            string name = "";
            while (attributes.TryRead(out ushort a, out var value))
            {
                if (a == NFTA_GEN_ID && value.Length >= 4) generation = BinaryPrimitives.ReadUInt32BigEndian(value);
                else if (a == NFTA_GEN_PROC_PID && value.Length >= 4) pid = (int)BinaryPrimitives.ReadUInt32BigEndian(value);
                else if (a == NFTA_GEN_PROC_NAME) name = NetlinkAttributeReader.GetString(value);
            }
            var done = new NftTransaction(generation, pid, name, _tables);
            _tables = [];
            return done;
        }
        while (attributes.TryRead(out ushort a, out var value))
            if (a == TableAttribute)
            {
                _tables.Add(new NftTableName(FamilyName(family), NetlinkAttributeReader.GetString(value)));
                break;
            }
        return null;
    }
}
