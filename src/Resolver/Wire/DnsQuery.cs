using System.Buffers.Binary;

namespace MyDocker.Resolver.Wire;

/// <summary>What <see cref="DnsQuery.Parse"/> made of a datagram.</summary>
public enum QueryStatus
{
    /// <summary>One well-formed question; answer it or forward it.</summary>
    Valid,

    /// <summary>Not a query we may answer: shorter than a header (no id to answer with) or a response (QR set);
    /// answering a response could start a loop between two resolvers.</summary>
    Ignore,

    /// <summary>Malformed: reply FORMERR with the header only.</summary>
    FormErr,

    /// <summary>An opcode other than QUERY (IQUERY, STATUS, NOTIFY, UPDATE): reply NOTIMP with the header only.</summary>
    NotImp,
}

/// <summary>
/// A parsed DNS query (RFC 1035 §4.1): the status, and for a valid one its single question. The name itself is written
/// as text into the caller's buffer (so parsing allocates nothing); <see cref="NameLength"/> says how much of it.
/// </summary>
public readonly struct DnsQuery
{
    public QueryStatus Status { get; }
    public ushort Type { get; }
    public ushort Class { get; }

    /// <summary>Offset just past the question's type and class: where answers go when the reply is built in place.</summary>
    public int QuestionEnd { get; }

    /// <summary>Characters of the name written into the caller's buffer ("db", "web.example"; empty for the root).</summary>
    public int NameLength { get; }

    /// <summary>False when a label holds a byte that cannot appear in one of our names as text (a dot inside a label,
    /// a space, a control or non-ASCII byte): such a name can only be someone else's and is forwarded as sent.</summary>
    public bool IsPlainName { get; }

    private DnsQuery(QueryStatus status, ushort type = 0, ushort @class = 0, int questionEnd = 0, int nameLength = 0, bool plain = false)
    {
        Status = status;
        Type = type;
        Class = @class;
        QuestionEnd = questionEnd;
        NameLength = nameLength;
        IsPlainName = plain;
    }

    /// <summary>
    /// Parses <paramref name="message"/>, writing the question's name into <paramref name="name"/> (at least
    /// <see cref="DnsLimits.MaxTextName"/> characters). Never throws on bad input: every malformation is a status.
    /// </summary>
    public static DnsQuery Parse(ReadOnlySpan<byte> message, Span<char> name)
    {
        if (name.Length < DnsLimits.MaxTextName)
            throw new ArgumentException($"the name buffer holds {name.Length} characters; a DNS name needs up to {DnsLimits.MaxTextName}", nameof(name));
        if (message.Length < DnsLimits.HeaderLength || (message[2] & 0x80) != 0) return new(QueryStatus.Ignore);
        if (message.Length > DnsLimits.MaxUdpMessage) return new(QueryStatus.FormErr);
        if (((message[2] >> 3) & 0x0F) != 0) return new(QueryStatus.NotImp);

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        var authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        var additional = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        // A query carries one question and nothing in the answer or authority sections; the additional section may hold
        // one OPT record (RFC 6891 §6.1.1: more than one is FORMERR). RFC 9619: QDCOUNT > 1 is FORMERR.
        if (questions != 1 || answers != 0 || authorities != 0 || additional > 1) return new(QueryStatus.FormErr);

        var at = DnsLimits.HeaderLength;
        var written = 0;
        var plain = true;
        while (true)
        {
            if (at >= message.Length) return new(QueryStatus.FormErr);
            int label = message[at++];
            if (label == 0) break;
            // 0b11: a compression pointer (§4.1.4). In the only question of a query it could point only into the header,
            // so it is malformed; 0b01/0b10 are the extended label types RFC 6891 §5 retired.
            if ((label & 0xC0) != 0) return new(QueryStatus.FormErr);
            if (at + label > message.Length || at - DnsLimits.HeaderLength + label + 1 > DnsLimits.MaxWireName)
                return new(QueryStatus.FormErr);
            if (written > 0) name[written++] = '.';
            foreach (var b in message.Slice(at, label))
            {
                if (b is <= 0x20 or >= 0x7F or (byte)'.') plain = false;
                name[written++] = (char)b;
            }
            at += label;
        }
        if (at + 4 > message.Length) return new(QueryStatus.FormErr);
        var type = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]);
        return new(QueryStatus.Valid, type, @class, at + 4, written, plain);
    }
}
