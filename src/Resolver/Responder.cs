using MyDocker.Resolver.Names;
using MyDocker.Resolver.Wire;

namespace MyDocker.Resolver;

/// <summary>What to do with a datagram after <see cref="Responder.Respond"/>.</summary>
public enum Verdict
{
    /// <summary>Send the first replyLength bytes of the buffer back to the asker.</summary>
    Reply,

    /// <summary>Not one of the asker's names and the asker may forward: the buffer is untouched, forward it upstream as sent.</summary>
    Forward,

    /// <summary>Send nothing (a response, or too short to carry an id).</summary>
    Ignore,
}

/// <summary>The query path: parse, look the name up for the asking address, build the reply in place. Allocates nothing.</summary>
public static class Responder
{
    /// <param name="message">The receive buffer: the query in its first <paramref name="length"/> bytes, at least
    /// <see cref="DnsLimits.MaxUdpMessage"/> bytes long; the reply is built in it.</param>
    /// <param name="source">The asker's IPv4 address, host byte order.</param>
    public static Verdict Respond(Span<byte> message, int length, uint source, NameSnapshot names, out int replyLength) =>
        Respond(message, length, source, names, out replyLength, out _);

    /// <param name="asker">The container that asked (null for an unknown source): where a forwarded query goes.</param>
    public static Verdict Respond(Span<byte> message, int length, uint source, NameSnapshot names, out int replyLength, out Asker? asker)
    {
        replyLength = 0;
        asker = null;
        Span<char> name = stackalloc char[DnsLimits.MaxTextName];
        var query = DnsQuery.Parse(message[..length], name);
        switch (query.Status)
        {
            case QueryStatus.Ignore: return Verdict.Ignore;
            case QueryStatus.FormErr: replyLength = DnsReply.WriteHeaderOnly(message, DnsRcode.FormErr); return Verdict.Reply;
            case QueryStatus.NotImp: replyLength = DnsReply.WriteHeaderOnly(message, DnsRcode.NotImp); return Verdict.Reply;
        }

        // Only our names in class IN; any other name or class is asked as "" (never a name), which still checks the source.
        var ours = query.IsPlainName && query.Class == DnsType.ClassIn ? name[..query.NameLength] : [];
        Span<uint> addresses = stackalloc uint[DnsReply.MaxAnswers(query)];
        switch (names.Lookup(source, ours, addresses, out var count, out asker))
        {
            case LookupStatus.UnknownSource:
                // Not a container's address: no names and no open relay for the host or another namespace.
                replyLength = DnsReply.WriteNoAnswer(message, query, DnsRcode.Refused);
                return Verdict.Reply;
            case LookupStatus.NotFound when !asker!.Forwards:
                // Every network of the asker is internal: nothing leaves the host on its behalf.
                replyLength = DnsReply.WriteNoAnswer(message, query, DnsRcode.NxDomain);
                return Verdict.Reply;
            case LookupStatus.NotFound:
                return Verdict.Forward;
        }
        // The name exists: any other type gets NOERROR with no answer (NODATA), never NXDOMAIN, or a client asking A and
        // AAAA at once (glibc, musl) may take the NXDOMAIN for the whole name. Docker answers AAAA the same way.
        replyLength = query.Type == DnsType.A
            ? DnsReply.WriteA(message, query, addresses[..count])
            : DnsReply.WriteNoAnswer(message, query, DnsRcode.NoError);
        return Verdict.Reply;
    }
}
