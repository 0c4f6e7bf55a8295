using MyDocker.Resolver.Wire;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>Parsing queries and building replies in place, against bytes written out by hand (RFC 1035 §4.1).</summary>
public sealed class DnsWireTests
{
    private const string DbQuestion = "02 64 62 00 00 01 00 01"; // "db", A, IN

    [Fact]
    public void A_query_is_parsed_into_its_question()
    {
        var name = new char[DnsLimits.MaxTextName];
        var query = DnsQuery.Parse(QueryBytes("Web.App"), name);

        Assert.Equal(QueryStatus.Valid, query.Status);
        Assert.Equal("Web.App", new string(name, 0, query.NameLength));
        Assert.True(query.IsPlainName);
        Assert.Equal(DnsType.A, query.Type);
        Assert.Equal(DnsType.ClassIn, query.Class);
        Assert.Equal(12 + 9 + 4, query.QuestionEnd);
    }

    [Fact]
    public void A_reply_keeps_id_and_question_and_points_each_answer_at_the_question_name()
    {
        var message = Query("db");
        var query = DnsQuery.Parse(message.AsSpan(0, 20), new char[DnsLimits.MaxTextName]);

        var length = DnsReply.WriteA(message, query, [Address("10.1.0.2"), Address("10.1.0.3")]);

        Assert.Equal(
            "12 34 85 80 00 01 00 02 00 00 00 00 " + DbQuestion +
            " c0 0c 00 01 00 01 00 00 00 00 00 04 0a 01 00 02" +
            " c0 0c 00 01 00 01 00 00 00 00 00 04 0a 01 00 03",
            ToHex(message.AsSpan(0, length)));
    }

    [Theory]
    [InlineData(DnsRcode.NxDomain, "85 83")]
    [InlineData(DnsRcode.Refused, "81 85")]
    [InlineData(DnsRcode.ServFail, "81 82")]
    [InlineData(DnsRcode.NoError, "85 80")]
    public void A_reply_without_answers_keeps_the_question_and_is_authoritative_only_for_our_own_verdicts(DnsRcode rcode, string flags)
    {
        var message = Query("db");
        var query = DnsQuery.Parse(message.AsSpan(0, 20), new char[DnsLimits.MaxTextName]);

        var length = DnsReply.WriteNoAnswer(message, query, rcode);

        Assert.Equal($"12 34 {flags} 00 01 00 00 00 00 00 00 " + DbQuestion, ToHex(message.AsSpan(0, length)));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "compression pointer in the question", "12 34 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01 00 01" },
        // Long enough that the pointer's first byte (192) read as a label length would still fit in the message.
        { "compression pointer before 200 bytes", "12 34 01 00 00 01 00 00 00 00 00 00 c0 0c" + string.Concat(Enumerable.Repeat(" 00", 200)) },
        { "extended label type", "12 34 01 00 00 01 00 00 00 00 00 00 42 64 62 00 00 01 00 01" },
        { "label running past the end", "12 34 01 00 00 01 00 00 00 00 00 00 05 64 62" },
        { "name without its root label", "12 34 01 00 00 01 00 00 00 00 00 00 02 64 62" },
        { "question without type and class", "12 34 01 00 00 01 00 00 00 00 00 00 02 64 62 00 00 01" },
        { "no question", "12 34 01 00 00 00 00 00 00 00 00 00" },
        { "two questions", "12 34 01 00 00 02 00 00 00 00 00 00 " + DbQuestion + " " + DbQuestion },
        { "an answer in a query", "12 34 01 00 00 01 00 01 00 00 00 00 " + DbQuestion },
        { "an authority record in a query", "12 34 01 00 00 01 00 00 00 01 00 00 " + DbQuestion },
        { "two additional records (two OPT)", "12 34 01 00 00 01 00 00 00 00 00 02 " + DbQuestion },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_query_gets_FORMERR_with_the_header_only(string why, string hex)
    {
        var message = Buffer(Hex(hex), out var length);
        var query = DnsQuery.Parse(message.AsSpan(0, length), new char[DnsLimits.MaxTextName]);
        Assert.True(query.Status == QueryStatus.FormErr, why);

        var reply = DnsReply.WriteHeaderOnly(message, DnsRcode.FormErr);

        Assert.Equal("12 34 81 81 00 00 00 00 00 00 00 00", ToHex(message.AsSpan(0, reply)));
    }

    [Fact]
    public void A_query_longer_than_512_bytes_is_FORMERR()
    {
        var message = new byte[513];
        QueryBytes("db").CopyTo(message, 0);
        Assert.Equal(QueryStatus.FormErr, DnsQuery.Parse(message, new char[DnsLimits.MaxTextName]).Status);
        Assert.Equal(QueryStatus.Valid, DnsQuery.Parse(message.AsSpan(0, 512), new char[DnsLimits.MaxTextName]).Status);
    }

    [Fact]
    public void A_name_of_255_wire_octets_parses_and_one_more_is_FORMERR()
    {
        var longest = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        var tooLong = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));
        var name = new char[DnsLimits.MaxTextName];

        var query = DnsQuery.Parse(QueryBytes(longest), name);
        Assert.Equal(QueryStatus.Valid, query.Status);
        Assert.Equal(253, query.NameLength);
        Assert.Equal(QueryStatus.FormErr, DnsQuery.Parse(QueryBytes(tooLong), name).Status);
    }

    [Fact]
    public void Another_opcode_gets_NOTIMP_with_its_opcode_echoed()
    {
        var message = Buffer(Hex("12 34 11 00 00 01 00 00 00 00 00 00 " + DbQuestion), out var length); // STATUS (2), RD
        Assert.Equal(QueryStatus.NotImp, DnsQuery.Parse(message.AsSpan(0, length), new char[DnsLimits.MaxTextName]).Status);

        var reply = DnsReply.WriteHeaderOnly(message, DnsRcode.NotImp);

        Assert.Equal("12 34 91 84 00 00 00 00 00 00 00 00", ToHex(message.AsSpan(0, reply)));
    }

    [Theory]
    [InlineData("12 34 01 00 00 01 00 00 00 00 00")] // 11 bytes: no whole header
    [InlineData("12 34 81 80 00 01 00 00 00 00 00 00 " + DbQuestion)] // QR set: a response
    public void A_datagram_that_is_not_a_query_is_ignored(string hex) =>
        Assert.Equal(QueryStatus.Ignore, DnsQuery.Parse(Hex(hex), new char[DnsLimits.MaxTextName]).Status);

    [Theory]
    [InlineData("03 61 2e 62 00", "a.b")] // a dot inside one label
    [InlineData("02 64 20 00", "d ")]
    [InlineData("02 64 c3 00", "d\u00c3")]
    public void A_label_with_a_byte_no_name_of_ours_holds_is_not_plain(string wireName, string text)
    {
        var name = new char[DnsLimits.MaxTextName];
        var query = DnsQuery.Parse(Hex("12 34 01 00 00 01 00 00 00 00 00 00 " + wireName + " 00 01 00 01"), name);

        Assert.Equal(QueryStatus.Valid, query.Status);
        Assert.Equal(text, new string(name, 0, query.NameLength));
        Assert.False(query.IsPlainName);
    }

    [Fact]
    public void The_reply_drops_the_querys_EDNS_record()
    {
        // dig's query: the question, then an OPT record (root name, type 41, UDP size 1232, no options).
        var message = Buffer(Hex("12 34 01 20 00 01 00 00 00 00 00 01 " + DbQuestion + " 00 00 29 04 d0 00 00 00 00 00 00"), out var length);
        var query = DnsQuery.Parse(message.AsSpan(0, length), new char[DnsLimits.MaxTextName]);

        var reply = DnsReply.WriteA(message, query, [Address("10.1.0.2")]);

        // AD (0x20) is not echoed either: the resolver validates nothing.
        Assert.Equal("12 34 85 80 00 01 00 01 00 00 00 00 " + DbQuestion + " c0 0c 00 01 00 01 00 00 00 00 00 04 0a 01 00 02",
            ToHex(message.AsSpan(0, reply)));
    }

    [Fact]
    public void More_addresses_than_512_bytes_hold_are_cut_to_what_fits()
    {
        var message = Query("db");
        var query = DnsQuery.Parse(message.AsSpan(0, 20), new char[DnsLimits.MaxTextName]);
        var addresses = Enumerable.Range(1, 40).Select(i => Address($"10.1.0.{i}")).ToArray();

        var length = DnsReply.WriteA(message, query, addresses);

        Assert.Equal(30, DnsReply.MaxAnswers(query)); // (512 - 20) / 16
        Assert.Equal(20 + 30 * 16, length);
        Assert.Equal("00 1e", ToHex(message.AsSpan(6, 2)));
    }
}
