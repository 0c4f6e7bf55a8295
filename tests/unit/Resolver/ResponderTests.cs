using System.Net;
using MyDocker.Resolver;
using MyDocker.Resolver.Names;
using MyDocker.Resolver.Wire;
using static MyDocker.UnitTests.Resolver.DnsBytes;

namespace MyDocker.UnitTests.Resolver;

/// <summary>The query path end to end on bytes: parse, look up for the asker, reply in place or leave for forwarding.</summary>
public sealed class ResponderTests
{
    private static readonly uint Asker = Address("10.1.0.2");

    private static readonly NameSnapshot Names = new NameSnapshotBuilder()
        .AddName("front", "db", IPAddress.Parse("10.1.0.9"))
        .AddName("back", "db", IPAddress.Parse("10.2.0.2"))
        .SetSource(IPAddress.Parse("10.1.0.2"), "front", "back")
        .Build();

    private static (Verdict, string) Respond(byte[] query, uint source)
    {
        var message = Buffer(query, out var length);
        var verdict = Responder.Respond(message, length, source, Names, out var reply);
        return (verdict, ToHex(message.AsSpan(0, verdict == Verdict.Reply ? reply : length)));
    }

    [Fact]
    public void A_known_name_gets_every_address_on_the_askers_networks_whatever_its_case()
    {
        Assert.Equal((Verdict.Reply,
            "12 34 85 80 00 01 00 02 00 00 00 00 02 44 62 00 00 01 00 01" +
            " c0 0c 00 01 00 01 00 00 00 00 00 04 0a 01 00 09" +
            " c0 0c 00 01 00 01 00 00 00 00 00 04 0a 02 00 02"),
            Respond(QueryBytes("Db"), Asker));
    }

    [Fact]
    public void AAAA_of_a_known_name_is_NOERROR_with_no_answer()
    {
        Assert.Equal((Verdict.Reply, "12 34 85 80 00 01 00 00 00 00 00 00 02 64 62 00 00 1c 00 01"),
            Respond(QueryBytes("db", type: DnsType.Aaaa), Asker));
    }

    [Fact]
    public void An_unknown_asker_is_refused_whatever_it_asks()
    {
        Assert.Equal((Verdict.Reply, "12 34 81 85 00 01 00 00 00 00 00 00 02 64 62 00 00 01 00 01"),
            Respond(QueryBytes("db"), Address("10.1.0.1")));
        Assert.Equal(Verdict.Reply, Respond(QueryBytes("example.com"), Address("10.1.0.1")).Item1);
    }

    [Theory]
    [InlineData("example.com", 1, 1)]
    [InlineData("db", 1, 3)]     // class CH: not ours
    public void Another_name_or_class_is_left_untouched_for_forwarding(string name, ushort type, ushort @class)
    {
        var query = QueryBytes(name, type, @class);
        var (verdict, bytes) = Respond(query, Asker);
        Assert.Equal((Verdict.Forward, ToHex(query)), (verdict, bytes));
    }

    [Fact]
    public void A_dot_inside_a_label_is_not_our_name()
    {
        var query = Hex("12 34 01 00 00 01 00 00 00 00 00 00 05 64 62 2e 64 62 00 00 01 00 01"); // one label "db.db"
        var names = new NameSnapshotBuilder().AddName("front", "db.db", IPAddress.Parse("10.1.0.9")).SetSource(IPAddress.Parse("10.1.0.2"), "front").Build();
        var message = Buffer(query, out var length);

        Assert.Equal(Verdict.Forward, Responder.Respond(message, length, Asker, names, out _));
    }

    [Fact]
    public void Malformed_or_non_queries_are_answered_FORMERR_or_ignored()
    {
        Assert.Equal((Verdict.Reply, "12 34 81 81 00 00 00 00 00 00 00 00"),
            Respond(Hex("12 34 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01 00 01"), Asker));
        Assert.Equal(Verdict.Ignore, Respond(Hex("12 34 81 80 00 01 00 00 00 00 00 00 02 64 62 00 00 01 00 01"), Asker).Item1);
    }

    [Fact]
    public void Answering_allocates_nothing_per_query()
    {
        var query = QueryBytes("db");
        var message = new byte[512];
        var unknown = QueryBytes("example.com");
        void Once()
        {
            query.CopyTo(message, 0);
            Responder.Respond(message, query.Length, Asker, Names, out _);
            unknown.CopyTo(message, 0);
            Responder.Respond(message, unknown.Length, Asker, Names, out _);
        }
        for (var i = 0; i < 100; i++) Once(); // first calls: static initialisers, tier-0 code

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Once();

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
