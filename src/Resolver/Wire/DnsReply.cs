using System.Buffers.Binary;

namespace MyDocker.Resolver.Wire;

/// <summary>
/// Builds replies in the query's own buffer (RFC 1035 §4.1): the id and question are kept where they are, the flags and
/// counts rewritten, answers appended after the question with their name as a pointer to the question's name at offset
/// 12 (§4.1.4). Nothing is allocated. The additional section of the query (an EDNS OPT record) is dropped: a reply
/// without OPT tells the client this server does not do EDNS, which RFC 6891 §7 allows.
/// </summary>
public static class DnsReply
{
    /// <summary>0: a caching client (nginx, systemd-resolved, a JVM) must not keep an answer past a container's rm,
    /// restart or disconnect. Stale answers are the most reported resolver problem in the moby and aardvark-dns trackers
    /// (aardvark-dns lowered its TTL to 60 for it); the issue asks for none.</summary>
    public const uint Ttl = 0;

    private const int QuestionNamePointer = 0xC000 | DnsLimits.HeaderLength;

    /// <summary>A reply with the header only (no question): for FORMERR and NOTIMP, where the question cannot be trusted.
    /// <paramref name="message"/> must hold at least the 12-byte header. Returns the reply's length.</summary>
    public static int WriteHeaderOnly(Span<byte> message, DnsRcode rcode)
    {
        WriteHeader(message, rcode, questions: 0, answers: 0);
        return DnsLimits.HeaderLength;
    }

    /// <summary>The question and no answer: NXDOMAIN, REFUSED, SERVFAIL, or NOERROR for a name that exists with no
    /// record of the asked type (NODATA, RFC 2308 §2.2). Returns the reply's length.</summary>
    public static int WriteNoAnswer(Span<byte> message, in DnsQuery query, DnsRcode rcode)
    {
        RequireValid(query);
        WriteHeader(message, rcode, questions: 1, answers: 0);
        return query.QuestionEnd;
    }

    /// <summary>How many A records fit after the question within <see cref="DnsLimits.MaxUdpMessage"/>.</summary>
    public static int MaxAnswers(in DnsQuery query) => (DnsLimits.MaxUdpMessage - query.QuestionEnd) / DnsLimits.ARecordLength;

    /// <summary>
    /// NOERROR with one A record per address (host byte order), in the given order. <paramref name="message"/> must be a
    /// buffer of at least <see cref="DnsLimits.MaxUdpMessage"/> bytes holding the query. Addresses beyond
    /// <see cref="MaxAnswers"/> (some 30 A records) are left out without setting TC, over TCP too: no name of ours has that
    /// many addresses in practice, and a client asked to retry over TCP would get the same cut. Returns the length.
    /// </summary>
    public static int WriteA(Span<byte> message, in DnsQuery query, ReadOnlySpan<uint> addresses)
    {
        RequireValid(query);
        if (message.Length < DnsLimits.MaxUdpMessage)
            throw new ArgumentException($"the reply buffer holds {message.Length} bytes; it needs {DnsLimits.MaxUdpMessage}", nameof(message));
        var count = Math.Min(addresses.Length, MaxAnswers(query));
        var at = query.QuestionEnd;
        foreach (var address in addresses[..count])
        {
            var record = message.Slice(at, DnsLimits.ARecordLength);
            BinaryPrimitives.WriteUInt16BigEndian(record, QuestionNamePointer);
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], DnsType.A);
            BinaryPrimitives.WriteUInt16BigEndian(record[4..], DnsType.ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(record[6..], Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(record[10..], 4);
            BinaryPrimitives.WriteUInt32BigEndian(record[12..], address);
            at += DnsLimits.ARecordLength;
        }
        WriteHeader(message, DnsRcode.NoError, questions: 1, answers: (ushort)count);
        return at;
    }

    /// <summary>
    /// QR=1; opcode and RD copied from the query; AA=1 only for what the resolver itself knows (NOERROR, NXDOMAIN);
    /// TC=0; RA=1 (other names are recursed upstream); Z, AD and CD cleared; then the counts (§4.1.1).
    /// </summary>
    private static void WriteHeader(Span<byte> message, DnsRcode rcode, ushort questions, ushort answers)
    {
        var authoritative = rcode is DnsRcode.NoError or DnsRcode.NxDomain ? 0x04 : 0;
        message[2] = (byte)(0x80 | (message[2] & 0x78) | authoritative | (message[2] & 0x01));
        message[3] = (byte)(0x80 | (byte)rcode);
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], questions);
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], answers);
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], 0); // NSCOUNT, ARCOUNT
    }

    private static void RequireValid(in DnsQuery query)
    {
        if (query.Status != QueryStatus.Valid)
            throw new ArgumentException($"a reply with the question needs a valid query, not one parsed as {query.Status}", nameof(query));
    }
}
