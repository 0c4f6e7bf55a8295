using System.Net;
using MyDocker.Engine.Kernel.Interop;
using MyDocker.Engine.Kernel.Netlink;
using static MyDocker.Engine.Kernel.Conntrack.CtNetlinkConstants;

namespace MyDocker.Engine.Kernel.Conntrack;

/// <summary>
/// <see cref="IConntrack"/> over ctnetlink (a NETLINK_NETFILTER socket), without the conntrack tool.
/// </summary>
/// <remarks>
/// <para>Each call opens its socket on the calling thread, so it acts on that thread's network namespace, and
/// closes it before returning; the class holds no state and may be shared.</para>
/// <para>Deleting is a dump of the IPv4 table filtered here, then one IPCTNL_MSG_CT_DELETE per match. The kernel
/// can also flush with a filter (CTA_FILTER in a delete, ctnetlink_flush_conntrack), but that answers only with
/// an ack, never with how many entries it removed, so the count this interface promises needs the listing. The
/// deletes are sent after the dump has finished: a socket answers one request at a time, and an unfinished dump
/// makes the next request fail with EBUSY.</para>
/// </remarks>
public sealed class CtNetlink : IConntrack
{
    // A delete request is ~80 bytes; a dump request 20.
    private const int RequestBufferSize = 256;
    // conntrack dumps never set NLM_F_DUMP_INTR today (ctnetlink_dump_table keeps no generation count); should a
    // kernel start doing so, a changed table is listed again, this many times at most.
    private const int DumpAttempts = 5;

    public int DeleteNatTo(IReadOnlyCollection<NatTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) return 0;
        var wanted = new HashSet<(byte Protocol, ushort HostPort, uint Container, ushort ContainerPort)>();
        foreach (var t in targets)
        {
            ArgumentNullException.ThrowIfNull(t.ContainerIp);
            wanted.Add((ProtocolNumber(t.Protocol), CheckPort(t.HostPort, nameof(targets)), CtTuple.ToUInt32(t.ContainerIp),
                CheckPort(t.ContainerPort, nameof(targets))));
        }
        var first = targets.First();
        string detail = targets.Count == 1
            ? $"{first.Protocol} host port {first.HostPort} to {first.ContainerIp}:{first.ContainerPort}"
            : $"{targets.Count} mappings to {first.ContainerIp}";

        // One listing for all the mappings: a container with a 100-port range is one dump, not 100.
        return DeleteWhere(detail, entry =>
        {
            var (o, r) = (entry.Original, entry.Reply);
            return wanted.Contains((o.Protocol, o.DestinationPort, r.Source, r.SourcePort))
                   && CtNetlinkMessages.IsNatTo(entry, o.Protocol, o.DestinationPort, r.Source, r.SourcePort);
        });
    }

    public int DeleteUntranslatedTo(IReadOnlyCollection<(string Protocol, int Port)> hostPorts, IReadOnlyCollection<IPAddress> localAddresses)
    {
        ArgumentNullException.ThrowIfNull(hostPorts);
        ArgumentNullException.ThrowIfNull(localAddresses);
        if (hostPorts.Count == 0) return 0;
        var wanted = hostPorts.Select(p => (ProtocolNumber(p.Protocol), CheckPort(p.Port, nameof(hostPorts)))).ToHashSet();
        var locals = localAddresses.Select(CtTuple.ToUInt32).ToHashSet();
        string detail = $"untranslated traffic to {hostPorts.Count} host port(s)";

        return DeleteWhere(detail, entry =>
        {
            var (o, r) = (entry.Original, entry.Reply);
            bool untranslated = r.Source == o.Destination && r.SourcePort == o.DestinationPort
                                && r.Destination == o.Source && r.DestinationPort == o.SourcePort;
            bool toHost = locals.Contains(o.Destination) || (o.Destination >> 24) == 127;
            return untranslated && toHost && wanted.Contains((o.Protocol, o.DestinationPort));
        });
    }

    /// <summary>Lists the table once, then deletes the entries <paramref name="match"/> picks (after the dump has
    /// finished: see the class remarks).</summary>
    private static int DeleteWhere(string detail, Func<CtEntry, bool> match)
    {
        using var socket = NetlinkSocket.Open(Libc.NETLINK_NETFILTER);
        var matches = new List<CtEntry>();
        Dump(socket, $"list conntrack entries ({detail})", () => matches.Clear(), m =>
        {
            if (CtNetlinkMessages.TryParseEntry(m, out var entry) && match(entry)) matches.Add(entry);
        });
        return DeleteAll(socket, matches, detail);
    }

    private static int DeleteAll(NetlinkSocket socket, List<CtEntry> matches, string detail)
    {
        int deleted = 0;
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        foreach (var entry in matches)
        {
            var w = new NetlinkMessageWriter(buffer);
            CtNetlinkMessages.Delete(ref w, socket.NextSequence(), entry);
            try
            {
                socket.Request("delete conntrack entry", $"{CtNetlinkMessages.ToPublic(entry)}; {detail}", w.Written);
                deleted++;
            }
            catch (KernelNotFoundException)
            {
                // Gone since the dump (expired, or deleted by someone else), or its tuple now belongs to a newer
                // connection whose CTA_ID differs: either way not ours to count or delete.
            }
        }
        return deleted;
    }

    /// <summary>A snapshot of the IPv4 conntrack entries of the calling thread's network namespace.</summary>
    /// <exception cref="KernelException">The kernel refused the dump.</exception>
    public IReadOnlyList<ConntrackEntry> List()
    {
        using var socket = NetlinkSocket.Open(Libc.NETLINK_NETFILTER);
        var entries = new List<ConntrackEntry>();
        Dump(socket, "list conntrack entries", () => entries.Clear(), m =>
        {
            if (CtNetlinkMessages.TryParseEntry(m, out var entry)) entries.Add(CtNetlinkMessages.ToPublic(entry));
        });
        return entries;
    }

    private static void Dump(NetlinkSocket socket, string operation, Action restart, NetlinkReplyHandler onReply)
    {
        Span<byte> buffer = stackalloc byte[RequestBufferSize];
        for (int attempt = 1; ; attempt++)
        {
            restart();
            var w = new NetlinkMessageWriter(buffer);
            CtNetlinkMessages.DumpIPv4(ref w, socket.NextSequence());
            if (socket.Dump(operation, w.Written, onReply)) return;
            if (attempt == DumpAttempts)
                throw KernelException.FromErrno(operation, 4 /* EINTR */, $"the kernel interrupted the dump {DumpAttempts} times in a row because the table kept changing");
        }
    }

    private static byte ProtocolNumber(string protocol) => protocol switch
    {
        "tcp" => IPPROTO_TCP,
        "udp" => IPPROTO_UDP,
        _ => throw new ArgumentException($"Protocol '{protocol}' is not supported for published ports; use \"tcp\" or \"udp\".", nameof(protocol)),
    };

    private static ushort CheckPort(int port, string parameterName)
    {
        if (port is < 1 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(parameterName, port, "A port is between 1 and 65535.");
        return (ushort)port;
    }
}
